"""Resource names built from the longest prefixes the examples accept still meet Azure's naming rules."""

import re

import pytest

from configurations import EXAMPLES, MODULES
from hcl_expression import evaluate_template
from baseline_patterns import validation_accepts

# Each accepted by the examples' name_prefix validation; the second puts a hyphen
# exactly where the Key Vault name cuts a 16-character prefix with a 6-character suffix.
LONGEST_PREFIXES = ["abcdefghijklmnop", "abcdefghijklm-no", "a1-b2-c3-d4-e5-f", "ab"]
REJECTED_PREFIXES = ["moat-", "moat--prod", "abcdefghijklmnopq", "Moat", "1moat", "m", "moat_prod", "-moat"]

# (name, local in modules/data, rule) per Azure's naming rules for the resource type.
NAME_RULES = [
    ("Key Vault", "key_vault_name", re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")),
    ("PostgreSQL flexible server", "postgresql_server_name", re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")),
    ("Log Analytics workspace", "log_analytics_name", re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$")),
]


def suffix_length(example) -> int:
    return int(example.resources_of_type("random_string")["suffix"]["length"])


def data_name(local_name: str, prefix: str, suffix: str) -> str:
    data = MODULES["data"]
    bindings = {"var.name_prefix": prefix, "var.name_suffix": suffix}

    def resolve(reference: str) -> object:
        if reference in bindings:
            return bindings[reference]
        if reference.startswith("local.") and reference[6:] in data.locals:
            value = data.locals[reference[6:]]
            return evaluate_template(value, resolve) if isinstance(value, str) else value
        raise KeyError(f"{reference} is not bound by the naming test")

    return evaluate_template(str(data.locals[local_name]), resolve)


@pytest.mark.parametrize("example_name", sorted(EXAMPLES))
@pytest.mark.parametrize("prefix", LONGEST_PREFIXES)
def test_example_accepts_prefix(example_name, prefix):
    variable = EXAMPLES[example_name].variables["name_prefix"]
    assert validation_accepts(variable, "var.name_prefix", prefix), f"examples/{example_name} name_prefix validation should accept {prefix!r}"


@pytest.mark.parametrize("example_name", sorted(EXAMPLES))
@pytest.mark.parametrize("prefix", REJECTED_PREFIXES)
def test_example_rejects_prefix(example_name, prefix):
    variable = EXAMPLES[example_name].variables["name_prefix"]
    assert not validation_accepts(variable, "var.name_prefix", prefix), (
        f"examples/{example_name} name_prefix validation must reject {prefix!r}: it would build an invalid or doubled-hyphen name"
    )


@pytest.mark.parametrize("example_name", sorted(EXAMPLES))
@pytest.mark.parametrize("prefix", LONGEST_PREFIXES)
@pytest.mark.parametrize("resource,local_name,rule", NAME_RULES, ids=[rule[0] for rule in NAME_RULES])
def test_data_names_fit(example_name, prefix, resource, local_name, rule):
    suffix = "z9" * 8
    suffix = suffix[: suffix_length(EXAMPLES[example_name])]
    name = data_name(local_name, prefix, suffix)
    assert rule.match(name), f"{resource} name {name!r} (prefix {prefix!r}, suffix {suffix!r}) breaks Azure's naming rule {rule.pattern}; fix modules/data/names.tf"
    assert name.endswith(suffix), f"{resource} name {name!r} must keep the whole random suffix {suffix!r}, which makes it unique"
