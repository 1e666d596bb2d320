"""Evaluate the small subset of Terraform expressions that names and validations use.

python-hcl2 keeps expressions as source text ("${...}" or a template), and no
terraform binary may initialise providers here, so the tests evaluate the
naming locals and variable validations themselves. Supported: string
templates, numbers, booleans, null, list literals, var.* and local.*
references, the operators ! - * / + == != < <= > >= && || and ?:, and the
functions can, contains, endswith, length, lower, max, min, regex,
startswith, substr, tostring, trimprefix, trimsuffix, upper. Anything else
raises UnsupportedExpression, so a test fails loudly instead of guessing.
"""

from __future__ import annotations

import re
from typing import Callable

Resolver = Callable[[str], object]


class UnsupportedExpression(Exception):
    """The expression uses syntax or a function this evaluator does not implement."""


class EvaluationError(Exception):
    """Terraform would raise an error here (for example regex without a match); can() turns it into false."""


_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*)"
                    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/!<>?:(),\[\]])|(?P<quote>\"))")


def evaluate_template(template: str, resolve: Resolver) -> object:
    """Evaluate a parsed string value: a template whose only part is one interpolation returns that value unconverted."""
    parts = _template_parts(template)
    if len(parts) == 1 and isinstance(parts[0], _Interpolation):
        return evaluate(parts[0].source, resolve)
    return "".join(_as_string(evaluate(part.source, resolve)) if isinstance(part, _Interpolation) else part for part in parts)


def evaluate(source: str, resolve: Resolver) -> object:
    """Evaluate one expression (without the surrounding "${ }")."""
    parser = _Parser(source, resolve)
    value = parser.expression()
    parser.expect_end()
    return value


class _Interpolation:
    def __init__(self, source: str):
        self.source = source


def _template_parts(template: str) -> list[object]:
    """Split a template into literal strings and interpolations, processing escapes in the literals."""
    parts: list[object] = []
    literal: list[str] = []
    index = 0
    while index < len(template):
        if template.startswith("${", index):
            end = _interpolation_end(template, index + 2)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(_Interpolation(template[index + 2:end]))
            index = end + 1
        elif template[index] == "\\" and index + 1 < len(template):
            literal.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(template[index + 1], template[index + 1]))
            index += 2
        elif template.startswith("%{", index):
            raise UnsupportedExpression(f"template directive in {template!r}")
        else:
            literal.append(template[index])
            index += 1
    if literal or not parts:
        parts.append("".join(literal))
    return parts


def _interpolation_end(text: str, index: int) -> int:
    """Return the index of the "}" that closes an interpolation starting at index, skipping nested strings and braces."""
    depth = 0
    while index < len(text):
        character = text[index]
        if character == '"':
            index = _string_end(text, index + 1)
        elif character == "{":
            depth += 1
        elif character == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    raise UnsupportedExpression(f"unterminated interpolation in {text!r}")


def _string_end(text: str, index: int) -> int:
    """Return the index of the closing quote of a string whose content starts at index."""
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith("${", index):
            index = _interpolation_end(text, index + 2) + 1
            continue
        if text[index] == '"':
            return index
        index += 1
    raise UnsupportedExpression(f"unterminated string in {text!r}")


def _as_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    raise EvaluationError(f"cannot convert {value!r} to a string")


def _substr(text: str, offset: int, length: int) -> str:
    if length == -1:
        return text[int(offset):]
    return text[int(offset):int(offset) + int(length)]


def _regex(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise EvaluationError(f"regex {pattern!r} does not match {text!r}")
    return match.group(0)


_FUNCTIONS: dict[str, Callable[..., object]] = {
    "contains": lambda items, value: value in items,
    "endswith": lambda text, suffix: text.endswith(suffix),
    "length": len,
    "lower": str.lower,
    "max": max,
    "min": min,
    "regex": _regex,
    "startswith": lambda text, prefix: text.startswith(prefix),
    "substr": _substr,
    "tostring": _as_string,
    "trimprefix": lambda text, prefix: text[len(prefix):] if prefix and text.startswith(prefix) else text,
    "trimsuffix": lambda text, suffix: text[:-len(suffix)] if suffix and text.endswith(suffix) else text,
    "upper": str.upper,
}


class _Parser:
    """Recursive-descent parser that evaluates while it parses; operator precedence follows Terraform's."""

    def __init__(self, source: str, resolve: Resolver):
        self.source = source
        self.resolve = resolve
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        match = _TOKEN.match(self.source, self.index)
        if not match or match.end() == match.start():
            if self.source[self.index:].strip():
                raise UnsupportedExpression(f"unexpected text {self.source[self.index:]!r} in {self.source!r}")
            return None
        kind = match.lastgroup
        return kind, match.group(kind)

    def take(self) -> tuple[str, str]:
        match = _TOKEN.match(self.source, self.index)
        if not match:
            raise UnsupportedExpression(f"unexpected end of {self.source!r}")
        self.index = match.end()
        return match.lastgroup, match.group(match.lastgroup)

    def accept(self, operator: str) -> bool:
        token = self.peek()
        if token == ("op", operator):
            self.take()
            return True
        return False

    def expect(self, operator: str) -> None:
        if not self.accept(operator):
            raise UnsupportedExpression(f"expected {operator!r} at {self.source[self.index:]!r}")

    def expect_end(self) -> None:
        if self.peek() is not None:
            raise UnsupportedExpression(f"unexpected {self.source[self.index:]!r} after the expression")

    def expression(self) -> object:
        condition = self.binary(0)
        if self.accept("?"):
            when_true = self.expression()
            self.expect(":")
            when_false = self.expression()
            return when_true if condition else when_false
        return condition

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/"))

    def binary(self, level: int) -> object:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            token = self.peek()
            if not token or token[0] != "op" or token[1] not in self._LEVELS[level]:
                return left
            operator = self.take()[1]
            right = self.binary(level + 1)
            left = _apply(operator, left, right)

    def unary(self) -> object:
        if self.accept("!"):
            return not self.unary()
        if self.accept("-"):
            return -self.unary()
        return self.primary()

    def primary(self) -> object:
        kind, text = self.take()
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "quote":
            end = _string_end(self.source, self.index)
            template = self.source[self.index:end]
            self.index = end + 1
            return evaluate_template(template, self.resolve)
        if kind == "op" and text == "(":
            value = self.expression()
            self.expect(")")
            return value
        if kind == "op" and text == "[":
            items = []
            while not self.accept("]"):
                items.append(self.expression())
                self.accept(",")
            return items
        if kind == "name":
            if text in ("true", "false"):
                return text == "true"
            if text == "null":
                return None
            if self.accept("("):
                return self.call(text)
            return self.resolve(text)
        raise UnsupportedExpression(f"unexpected {text!r} in {self.source!r}")

    def call(self, name: str) -> object:
        if name == "can":
            start = self.index
            try:
                self.expression()
                result = True
            except EvaluationError:
                result = False
                self.index = start
                self.skip_to_closing_parenthesis()
                return result
            self.expect(")")
            return result
        function = _FUNCTIONS.get(name)
        if function is None:
            raise UnsupportedExpression(f"function {name}() is not supported by tests/terraform/hcl_expression.py")
        arguments = []
        while not self.accept(")"):
            arguments.append(self.expression())
            self.accept(",")
        return function(*arguments)

    def skip_to_closing_parenthesis(self) -> None:
        """Skip the rest of a can(...) argument after it raised, honouring nested parentheses and strings."""
        depth = 0
        while self.index < len(self.source):
            character = self.source[self.index]
            if character == '"':
                self.index = _string_end(self.source, self.index + 1)
            elif character == "(":
                depth += 1
            elif character == ")":
                if depth == 0:
                    self.index += 1
                    return
                depth -= 1
            self.index += 1
        raise UnsupportedExpression(f"unbalanced parentheses in {self.source!r}")


def _apply(operator: str, left: object, right: object) -> object:
    if operator == "||":
        return bool(left) or bool(right)
    if operator == "&&":
        return bool(left) and bool(right)
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    comparisons = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    if operator in comparisons:
        return comparisons[operator](left, right)
    arithmetic = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in (left, right)):
        raise EvaluationError(f"{operator} needs numbers, got {left!r} and {right!r}")
    return arithmetic[operator](left, right)
