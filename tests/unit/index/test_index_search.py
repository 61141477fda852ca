"""Search ranking and find_symbol over a small project."""

from __future__ import annotations

from tether.index import WorkspaceIndex


async def test_definition_ranks_above_mentions(project: WorkspaceIndex) -> None:
    hits = await project.search("format_name")
    assert hits[0].path == "app/models.py"
    assert hits[0].symbol == "format_name"
    assert hits[0].line == 4
    assert hits[0].preview == "def format_name(first, last):"
    paths = [h.path for h in hits]
    assert "README.md" in paths and "app/views.py" in paths
    assert "notes.txt" not in paths
    assert hits == sorted(hits, key=lambda h: -h.score)


async def test_camel_case_parts_match(project: WorkspaceIndex) -> None:
    hits = await project.search("fetch user")
    assert (hits[0].path, hits[0].line) == ("web/client.ts", 1)
    assert hits[0].symbol is None
    # A query word naming a definition exactly points at that definition.
    hits = await project.search("user profile")
    assert (hits[0].path, hits[0].symbol, hits[0].line) == (
        "web/client.ts", "Profile", 3)


async def test_whole_camel_identifier_finds_its_definition(project: WorkspaceIndex) -> None:
    hits = await project.search("fetchUserProfile")
    assert (hits[0].path, hits[0].symbol) == ("web/client.ts", "fetchUserProfile")


async def test_snake_case_query_matches_parts_and_whole(project: WorkspaceIndex) -> None:
    hits = await project.search("display name")
    assert hits[0].path in {"app/models.py", "README.md"}
    whole = await project.search("get_display_name")
    assert (whole[0].path, whole[0].symbol) == ("app/models.py", "get_display_name")


async def test_path_words_match_files(project: WorkspaceIndex) -> None:
    hits = await project.search("views")
    assert hits[0].path == "app/views.py"
    hits = await project.search("client.ts")
    assert hits[0].path == "web/client.ts"


async def test_limit_and_empty_queries(project: WorkspaceIndex) -> None:
    assert len(await project.search("user", limit=2)) == 2
    assert await project.search("   ") == []
    assert await project.search("!!! ???") == []
    assert await project.search("zzzznotthere") == []


async def test_query_syntax_is_never_interpreted(project: WorkspaceIndex) -> None:
    for nasty in ['"', "NEAR(a b)", "user OR", "col:format", "a AND NOT b", "*", "(("]:
        assert isinstance(await project.search(nasty), list)


async def test_find_symbol_exact_then_loose(project: WorkspaceIndex) -> None:
    [exact] = await project.find_symbol("UserAccount", limit=1)
    assert exact.path == "app/models.py"
    assert (exact.kind, exact.line, exact.score) == ("class", 0, 3.0)
    loose = await project.find_symbol("useraccount")
    assert loose[0].symbol == "UserAccount" and loose[0].score == 2.0
    prefix = await project.find_symbol("format")
    assert prefix[0].symbol == "format_name"
    sub = await project.find_symbol("display")
    assert sub[0].symbol == "get_display_name"
    assert sub[0].container == "UserAccount"


async def test_find_symbol_with_container(project: WorkspaceIndex) -> None:
    [hit] = await project.find_symbol("UserAccount.get_display_name")
    assert (hit.path, hit.line) == ("app/models.py", 1)
    assert await project.find_symbol("Nope.get_display_name") == []
    assert await project.find_symbol("") == []
    assert await project.find_symbol("%") == []
