"""``api_token create USER --name NAME [--scopes read write] [--days N]``
prints the new token on its last line; ``list USER`` and ``revoke ID``."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken, Scope
from api.tokens import DEFAULT_DAYS, token_create, token_revoke, user_tokens


class Command(BaseCommand):
    help = "Create, list or revoke a user's API tokens."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="Create a token; printed once, last line.")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        create.add_argument("--scopes", nargs="+", default=[Scope.READ], choices=Scope.values)
        create.add_argument("--days", type=int, default=DEFAULT_DAYS)
        listing = commands.add_parser("list", help="A user's tokens.")
        listing.add_argument("username")
        revoke = commands.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username}.")
        return user

    def handle(self, *args, command: str, **options) -> None:
        if command == "create":
            user = self._user(options["username"])
            try:
                token, plain = token_create(
                    user=user, name=options["name"], scopes=options["scopes"], days=options["days"]
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Token #{token.pk} {token.name} ({token.scopes}), "
                f"expires {token.expires_at:%Y-%m-%d}. Shown once:"
            )
            self.stdout.write(plain)
        elif command == "list":
            for token in user_tokens(self._user(options["username"])):
                state = "revoked" if token.revoked_at else "expired" if token.is_expired else "live"
                used = (
                    f"{token.last_used_at:%Y-%m-%d %H:%M} {token.last_used_from or ''}"
                    if token.last_used_at
                    else "never used"
                )
                self.stdout.write(
                    f"#{token.pk}\t{token.name}\t{token.prefix}…\t{token.scopes}\t"
                    f"expires {token.expires_at:%Y-%m-%d}\t{state}\t{used}"
                )
        else:
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"There is no token #{options['token_id']}.")
            token_revoke(token=token)
            self.stdout.write(f"Token #{token.pk} {token.name} revoked.")
