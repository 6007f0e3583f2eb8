"""The demo and end-to-end scenario driver: every back end simulated in this process, the hub
on the shipped routes.yaml, and the people and systems around it played as actors."""
