"""Broker contract tests run on the embedded transport and on real RabbitMQ alike."""

import pytest


@pytest.fixture(params=["embedded", "rabbitmq"])
def broker(request, tmp_path):
    """(broker_url, namespace) for each transport; RabbitMQ names are cleaned up after."""
    if request.param == "embedded":
        return f"embedded://{tmp_path / 'broker.db'}", "gridhub"
    return request.getfixturevalue("amqp_url"), request.getfixturevalue("amqp_namespace")
