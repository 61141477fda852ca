"""Test support that ships with Tether: a scripted model provider over real HTTP."""
