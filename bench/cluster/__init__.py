"""The cluster run: a private 3-node RabbitMQ cluster, nodes killed, stopped and frozen."""
