"""No module of collectors/aws imports, directly or round a longer loop, a module that imports it back.

The imports are read from the source (ast), function-level imports included, so a circle cannot
hide in a lazy import. Imports under ``if TYPE_CHECKING:`` are left out: they name types for
mypy and never run (``from __future__ import annotations`` keeps the annotations unevaluated).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import evidence.collectors.aws as aws_package
from evidence.collectors.aws import account_responses, storage_responses
from evidence.collectors.aws.operations import ReaderTable
from evidence.collectors.aws.readers import operations

PACKAGE = aws_package.__name__
FOLDER = Path(aws_package.__file__).parent


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, tree: ast.AST, modules: set[str]) -> set[str]:
    """The package's modules that ``module`` imports when it runs."""
    found: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return {name for name in found if name in modules and name != module}


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports at run time."""
    modules = {f"{PACKAGE}.{info.name}" for info in pkgutil.iter_modules([str(FOLDER)])}
    graph = {}
    for module in sorted(modules):
        source = (FOLDER / f"{module.rsplit('.', 1)[1]}.py").read_text(encoding="utf-8")
        graph[module] = _imports(module, ast.parse(source), modules)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop, each as the path that closes it (depth-first, in name order)."""
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_the_graph_reads_the_package() -> None:
    graph = import_graph()
    assert f"{PACKAGE}.readers" in graph
    assert graph[f"{PACKAGE}.readers"] >= {f"{PACKAGE}.account_responses", f"{PACKAGE}.storage_responses"}
    assert f"{PACKAGE}.arns" in graph[f"{PACKAGE}.credential_report"]
    assert f"{PACKAGE}.credential_report" in graph[f"{PACKAGE}.identities"]


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert circles(import_graph()) == []


def test_every_module_imports_on_its_own() -> None:
    # In a fresh interpreter each would fail with a circular-import error if a circle remained;
    # here at least every module must import and name what it defines.
    for module in sorted(import_graph()):
        assert importlib.import_module(module).__doc__, module


def test_the_registry_function_gathers_both_response_tables() -> None:
    found = operations()
    assert set(found) == set(account_responses.READERS.operations) | set(storage_responses.READERS.operations)
    assert found["GetBucketEncryption"].read_error is not None
    assert found["GetCredentialReport"].service == "iam"
    assert list(found)[: len(account_responses.READERS.operations)] == list(account_responses.READERS.operations)


def test_a_reader_table_refuses_an_operation_declared_twice() -> None:
    table = ReaderTable()
    table.handles("s3", "GetBucketEncryption", kinds=("encryption.at_rest",))(lambda *_: None)
    with pytest.raises(ValueError, match="GetBucketEncryption is declared twice"):
        table.handles("s3", "GetBucketEncryption", kinds=("encryption.at_rest",))(lambda *_: None)
