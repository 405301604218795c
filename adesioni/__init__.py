"""Joining the network: invitations (who invites whom, acceptance) and the access requests of
comuni outside it."""
