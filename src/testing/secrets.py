"""The contract every secrets provider passes: override `secrets` and `known`."""

from __future__ import annotations

import pytest

from runplane.domain.errors import SecretNotFoundError
from runplane.ports.secrets import Secrets


class SecretsContract:
    """Behaviour every Secrets provider has.

    `known` maps names to the values the `secrets` fixture was set up with: at least one, or
    the contract would check no value at all (a provider that holds none, like
    `do-nothing`, overrides `test_known_secrets_have_their_values` instead).
    """

    @pytest.fixture
    def secrets(self) -> Secrets:
        raise NotImplementedError

    @pytest.fixture
    def known(self) -> dict[str, str]:
        raise NotImplementedError(
            "override `known`: the names and values the `secrets` fixture was set up with"
        )

    def test_known_secrets_have_their_values(self, secrets: Secrets, known: dict[str, str]) -> None:
        assert known, "set up at least one secret in the `secrets` fixture and name it in `known`"
        for name, value in known.items():
            assert secrets.get(name) == value

    def test_missing_secret_is_named_and_no_value_leaks(
        self, secrets: Secrets, known: dict[str, str]
    ) -> None:
        with pytest.raises(SecretNotFoundError, match="no_such_secret_zz") as caught:
            secrets.get("no_such_secret_zz")
        for value in known.values():
            assert value not in str(caught.value)
        assert caught.value.name == "no_such_secret_zz"
