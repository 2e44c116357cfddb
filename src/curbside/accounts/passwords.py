"""Password hashing (argon2id, argon2-cffi's RFC 9106 defaults) and the length policy.

Only the hash is stored; it carries its own parameters, so raising the cost later
needs no migration: ``needs_rehash`` says when a stored hash was made with weaker
parameters, and the account is re-hashed at its next successful sign-in.
"""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from curbside.accounts.errors import WeakPasswordError
from curbside.validate import check_text, is_text

MIN_LENGTH = 10
MAX_LENGTH = 1024  # long passphrases are fine; megabyte "passwords" are not
_STAND_IN = "not a password"  # verified instead of an empty or overlong one, which then fails


class Passwords:
    """Hash, verify and check passwords. ``hasher`` is replaceable (tests use a cheap one)."""

    def __init__(self, hasher: PasswordHasher | None = None, *, min_length: int = MIN_LENGTH) -> None:
        self.hasher = hasher or PasswordHasher()
        self.min_length = min_length
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def check_policy(self, password: str) -> None:
        check_text(password, "password")
        if len(password) < self.min_length:
            raise WeakPasswordError(f"The password is shorter than {self.min_length} characters.",
                                    fix=f"Choose a password of at least {self.min_length} characters; "
                                        "a few unrelated words make a good one.")
        if len(password) > MAX_LENGTH:
            raise WeakPasswordError(f"The password is longer than {MAX_LENGTH} characters.",
                                    fix="Choose a shorter password.")
        if not password.strip():
            raise WeakPasswordError("The password is only spaces.", fix="Choose a real password.")

    def hash(self, password: str) -> str:
        self.check_policy(password)
        return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches. Always one hash verification, whatever the input:
        an empty, overlong or non-text password is checked as a stand-in (and fails), so the time
        taken tells nothing (``waste_time`` takes this same path)."""
        usable = bool(password) and len(password) <= MAX_LENGTH and is_text(password)
        try:
            return bool(self.hasher.verify(stored_hash, password if usable else _STAND_IN)) and usable
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return bool(self.hasher.check_needs_rehash(stored_hash))
        except InvalidHashError:
            return True

    def waste_time(self, password: str) -> None:
        """Verify against a throwaway hash, so an unknown or disabled username costs the same
        one verification as a wrong password, for any password, empty ones too (sign-in does
        not reveal which usernames exist). The throwaway hash is made once, at first use."""
        with self._lock:
            if self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy, password)
