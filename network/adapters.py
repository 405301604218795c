from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Nobody signs up on their own: people join by invitation (network/inviti) and
        comuni ask for access with their ente's data."""
        return False
