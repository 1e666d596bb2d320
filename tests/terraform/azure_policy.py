"""Evaluate the `if` part of an Azure Policy rule against a sample request.

Only the conditions the Moat rules use are implemented: allOf, anyOf, not,
and field conditions with equals, notEquals, in, notIn and exists. As in
Azure Policy, string comparisons ignore case, a missing field never equals
a value, and notEquals on a missing field is true.
"""

from __future__ import annotations


class UnsupportedCondition(Exception):
    """The rule uses a condition this evaluator does not implement."""


def matches(condition: dict, request: dict[str, object]) -> bool:
    """Return True when the request (field or alias => value, plus "type" and "name") meets the condition."""
    if "allOf" in condition:
        return all(matches(part, request) for part in condition["allOf"])
    if "anyOf" in condition:
        return any(matches(part, request) for part in condition["anyOf"])
    if "not" in condition:
        return not matches(condition["not"], request)
    if "field" not in condition:
        raise UnsupportedCondition(f"unsupported condition {condition!r}")
    present = condition["field"] in request
    value = request.get(condition["field"])
    if "exists" in condition:
        return present == (str(condition["exists"]).lower() == "true")
    if "equals" in condition:
        return present and _same(value, condition["equals"])
    if "notEquals" in condition:
        return not present or not _same(value, condition["notEquals"])
    if "in" in condition:
        return present and any(_same(value, item) for item in condition["in"])
    if "notIn" in condition:
        return not present or not any(_same(value, item) for item in condition["notIn"])
    raise UnsupportedCondition(f"unsupported field condition {condition!r}")


def _same(left: object, right: object) -> bool:
    return str(left).lower() == str(right).lower()
