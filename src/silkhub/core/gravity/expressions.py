"""The small expression language of a spec's ``derive`` and ``filters`` (safe AST evaluation)."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pandas as pd

from silkhub.core.gravity.specs import GravitySpecError

_FUNCS = ("log", "exp", "abs", "where", "concat", "group_sum", "group_max", "str")


def _group(values: pd.Series, by: list[pd.Series], how: str) -> pd.Series:
    key = pd.MultiIndex.from_arrays([b.to_numpy() for b in by]) if len(by) > 1 else by[0]
    frame = pd.DataFrame({"v": values.to_numpy(), "k": list(key) if len(by) > 1 else key})
    return pd.Series(
        frame.groupby("k")["v"].transform(how).to_numpy(), index=values.index, name=None
    )


class _Evaluator(ast.NodeVisitor):
    def __init__(self, frame: pd.DataFrame, expr: str) -> None:
        self.frame = frame
        self.expr = expr

    def fail(self, why: str) -> GravitySpecError:
        return GravitySpecError(f"expression {self.expr!r}: {why}", field="expression")

    def generic_visit(self, node: ast.AST) -> Any:
        raise self.fail(f"{type(node).__name__} is not allowed")

    def visit_Expression(self, node: ast.Expression) -> Any:
        return self.visit(node.body)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in self.frame.columns:
            return self.frame[node.id]
        if node.id in ("True", "False"):
            return node.id == "True"
        shown = ", ".join(map(str, list(self.frame.columns)[:30]))
        raise GravitySpecError(
            key="gravity.unknown_variable_expr",
            params={"name": node.id, "expression": self.expr, "available": shown},
            field=node.id,
        )

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, int | float | str | bool):
            return node.value
        raise self.fail(f"constant {node.value!r} is not allowed")

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return [self.visit(e) for e in node.elts]

    visit_List = visit_Tuple

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        v = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return ~v.astype(bool) if isinstance(v, pd.Series) else not v
        raise self.fail("unsupported unary operator")

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        a, b = _num(self.visit(node.left)), _num(self.visit(node.right))
        ops = {
            ast.Add: lambda: a + b,
            ast.Sub: lambda: a - b,
            ast.Mult: lambda: a * b,
            ast.Div: lambda: a / b,
            ast.Pow: lambda: a**b,
        }
        fn = ops.get(type(node.op))
        if fn is None:
            raise self.fail("only + - * / ** are allowed")
        return _num(fn())

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        vals = [_as_bool(self.visit(v)) for v in node.values]
        out = vals[0]
        for v in vals[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        out: Any = None
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comp)
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, list):
                    raise self.fail("'in' needs a list, e.g. year in (1986, 1990)")
                res = pd.Series(left).isin(right)
                res = ~res if isinstance(op, ast.NotIn) else res
            else:
                table = {
                    ast.Eq: lambda x, y: x == y,
                    ast.NotEq: lambda x, y: x != y,
                    ast.Lt: lambda x, y: x < y,
                    ast.LtE: lambda x, y: x <= y,
                    ast.Gt: lambda x, y: x > y,
                    ast.GtE: lambda x, y: x >= y,
                }
                res = table[type(op)](left, right)
            out = res if out is None else (out & res)
            left = right
        return out

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
            raise self.fail(f"unknown function; allowed: {', '.join(_FUNCS)}")
        if node.keywords:
            raise self.fail("keyword arguments are not allowed")
        args = [self.visit(a) for a in node.args]
        name = node.func.id
        if name in ("log", "exp", "abs", "str") and len(args) != 1:
            raise self.fail(f"{name}() takes one argument")
        if name == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(_num(args[0]))
        if name == "exp":
            return np.exp(_num(args[0]))
        if name == "abs":
            return np.abs(_num(args[0]))
        if name == "str":
            return args[0].astype(str) if isinstance(args[0], pd.Series) else str(args[0])
        if name == "where":
            if len(args) != 3:
                raise self.fail("where(condition, if_true, if_false) takes three arguments")
            cond = _as_bool(args[0])
            a, b = args[1], args[2]
            idx = self.frame.index
            a = a if isinstance(a, pd.Series) else pd.Series(a, index=idx)
            b = b if isinstance(b, pd.Series) else pd.Series(b, index=idx)
            if a.dtype == object or b.dtype == object:
                return pd.Series(np.where(cond, a.astype(str), b.astype(str)), index=idx)
            return pd.Series(np.where(cond, a, b), index=idx)
        if name == "concat":
            if len(args) < 2:
                raise self.fail("concat(a, b, ...) needs at least two arguments")
            parts = [
                a.astype(str)
                if isinstance(a, pd.Series)
                else pd.Series(str(a), index=self.frame.index)
                for a in args
            ]
            out = parts[0]
            for p in parts[1:]:
                out = out + "_" + p
            return out
        # group_sum / group_max
        if len(args) < 2 or not all(isinstance(a, pd.Series) for a in args):
            raise self.fail(f"{name}(value, by, ...) needs a value column and group column(s)")
        return _group(_num(args[0]), list(args[1:]), "sum" if name == "group_sum" else "max")


def _num(v: Any) -> Any:
    if isinstance(v, pd.Series) and v.dtype == bool:
        return v.astype("int64")
    if isinstance(v, bool):
        return int(v)
    return v


def _as_bool(v: Any) -> Any:
    if isinstance(v, pd.Series):
        return v.astype(bool)
    return bool(v)


def evaluate(expression: str, frame: pd.DataFrame) -> Any:
    """Evaluate a small, safe expression over the columns of ``frame``.

    Allowed: column names, numbers and strings; ``+ - * / **``; comparisons (``==``, ``!=``,
    ``<`` ...; ``x in (1, 2)``); ``and``/``or``/``not``; functions ``log``, ``exp``, ``abs``,
    ``str``, ``where(cond, a, b)``, ``concat(a, b, ...)`` (joins with ``_``),
    ``group_sum(x, g, ...)`` and ``group_max(x, g, ...)`` (per-group totals, broadcast back).
    Booleans become 0/1 in arithmetic, so ``log_dist * (exporter != importer)`` works.

    Raises
    ------
    GravitySpecError
        Unknown variable (the message lists available columns), disallowed syntax.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise GravitySpecError(
            key="gravity.bad_expression",
            params={"expression": expression, "reason": exc.msg},
            field="expression",
        ) from None
    return _Evaluator(frame, expression).visit(tree)
