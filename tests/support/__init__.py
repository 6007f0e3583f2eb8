"""Test support: real servers on loopback that stand in for back ends."""
