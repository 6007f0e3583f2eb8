"""The web app's routes: login, pages, actions (replay/discard), machine API."""
