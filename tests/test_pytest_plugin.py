"""The pytest plugin, as users meet it: small test files run by pytest under each async setup.

Each test writes a test file (and an ini file, with ``filterwarnings = error`` as strict
projects have it) into a fresh directory and runs pytest on it: in this process (pytester's
``runpytest``), or in a subprocess where it matters that only the installed entry point loads
the plugin. pytest-asyncio and anyio's plugin are both installed here, as they often are in
users' environments.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tests.test_docs import extract_blocks

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
STRICT = "[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"

# A test that the client of the test before it was closed: appended to the async test files.
CLOSED_AFTERWARDS = """

def test_the_client_was_closed_after_its_test():
    assert [client.is_closed for client in SEEN] == [True] * len(SEEN) != []
"""

ASYNC_TEST_BODY = """
    cartesia_fake.add_call(id="ac_1", agent_id="agent_1", status="completed")
    call = await cartesia_client.calls.get("ac_1")
    assert call.status == "completed"
    assert cartesia_client.base_url == cartesia_fake.base_url
    SEEN.append(cartesia_client)
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in this process, without hypothesis's plugin (which costs a second per run)."""
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args)


def write(pytester: pytest.Pytester, source: str, ini: str = STRICT) -> None:
    pytester.makeini(ini)
    pytester.makepyfile(test_user=textwrap.dedent(source))


def async_file(header: str, decorator: str = "") -> str:
    return (
        textwrap.dedent(header)
        + "\nSEEN = []\n\n"
        + f"{decorator}\nasync def test_get(cartesia_fake, cartesia_client):"
        + ASYNC_TEST_BODY
        + CLOSED_AFTERWARDS
    )


def test_a_file_that_only_names_cartesia_fake_passes_without_conftest(
    pytester: pytest.Pytester,
) -> None:
    # No conftest, no ini, no pytest_plugins: only the installed entry point loads the plugin.
    pytester.makepyfile(
        test_user="""
        import json
        import urllib.request

        def test_the_fake_is_running(cartesia_fake):
            cartesia_fake.add_call(id="ac_1", agent_id="agent_1", status="completed")
            request = urllib.request.Request(
                cartesia_fake.base_url + "/agents/calls/ac_1",
                headers={
                    "Authorization": "Bearer " + cartesia_fake.api_key,
                    "Cartesia-Version": "2026-03-01",
                },
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert json.load(response)["status"] == "completed"
        """
    )
    quick = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result = pytester.runpytest_subprocess(*quick)
    result.assert_outcomes(passed=1)

    # The entry point's name turns the plugin off, as docs/testing.md says.
    result = pytester.runpytest_subprocess(*quick, "-p", "no:cartesia_calls")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'cartesia_fake' not found*"])


def test_each_test_gets_a_fresh_fake_stopped_after_it(pytester: pytest.Pytester) -> None:
    write(
        pytester,
        """
        import urllib.error
        import urllib.request

        import pytest

        URLS = []

        def test_first(cartesia_fake):
            cartesia_fake.add_call(id="ac_1")
            URLS.append(cartesia_fake.base_url)

        def test_second(cartesia_fake):
            assert cartesia_fake.calls == {}
            if cartesia_fake.base_url != URLS[0]:  # (the system may hand out the port again)
                with pytest.raises(urllib.error.URLError) as refused:
                    urllib.request.urlopen(URLS[0], timeout=10)
                assert isinstance(refused.value.reason, ConnectionRefusedError)
        """,
    )
    run(pytester).assert_outcomes(passed=2)


def test_the_sync_client_in_a_plain_sync_test(pytester: pytest.Pytester) -> None:
    write(
        pytester,
        """
        from cartesia_calls import Client
        from cartesia_calls.testing import Lifecycle

        SEEN = []

        def test_wait_for_a_call(cartesia_fake, cartesia_sync_client):
            assert isinstance(cartesia_sync_client, Client)
            cartesia_fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=5, ends_at=600))
            # Polls sleep on the fake's clock: ten minutes pass at once.
            call = cartesia_sync_client.calls.wait("ac_1", timeout=900)
            assert call.status == "completed"
            assert cartesia_fake.clock >= 600
            SEEN.append(cartesia_sync_client)

        def test_the_client_was_closed_after_its_test():
            assert SEEN[0].is_closed
        """,
    )
    run(pytester).assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("ini", "header", "decorator"),
    [
        pytest.param(STRICT, "import pytest", "@pytest.mark.asyncio", id="pytest-asyncio-strict"),
        pytest.param(STRICT + "asyncio_mode = auto\n", "", "", id="pytest-asyncio-auto"),
        pytest.param(
            STRICT,
            "import pytest",
            '@pytest.mark.asyncio(loop_scope="module")',
            id="pytest-asyncio-module-loop",
        ),
        pytest.param(
            STRICT + "asyncio_default_test_loop_scope = session\nasyncio_mode = auto\n",
            "",
            "",
            id="pytest-asyncio-session-loop",
        ),
        pytest.param(
            STRICT,
            """
            import pytest

            @pytest.fixture
            def anyio_backend():
                return "asyncio"
            """,
            "@pytest.mark.anyio",
            id="anyio",
        ),
        pytest.param(
            STRICT + "anyio_mode = auto\n",
            """
            import pytest

            @pytest.fixture
            def anyio_backend():
                return "asyncio"
            """,
            "",
            id="anyio-auto",
        ),
    ],
)
def test_the_async_client_under_each_async_plugin(
    pytester: pytest.Pytester, ini: str, header: str, decorator: str
) -> None:
    write(pytester, async_file(header, decorator), ini)
    result = run(pytester)
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*Unclosed*")


def test_the_async_client_with_only_anyio_installed(pytester: pytest.Pytester) -> None:
    header = """
    import pytest

    pytestmark = pytest.mark.anyio

    @pytest.fixture
    def anyio_backend():
        return "asyncio"
    """
    write(pytester, async_file(header), "[pytest]\nfilterwarnings = error\n")
    result = run(pytester, "-p", "no:asyncio")
    result.assert_outcomes(passed=2)


def test_the_async_client_in_a_sync_test_is_a_clear_error(pytester: pytest.Pytester) -> None:
    write(
        pytester,
        """
        def test_sync(cartesia_client):
            pass
        """,
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*cartesia_client is an AsyncClient: use it in an async test*cartesia_sync_client*"]
    )


def test_the_async_client_on_trio_is_a_clear_error(pytester: pytest.Pytester) -> None:
    write(
        pytester,
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "trio"

        @pytest.mark.anyio
        async def test_on_trio(cartesia_client):
            pass
        """,
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cartesia_client needs asyncio*not 'trio'*"])


# -- the documentation's examples, run as the test files they are ------------------------------


def section_blocks(page: Path, heading: str, scratch: Path) -> list[str]:
    """The Python blocks of one section of a page (from its heading to the next of its level)."""
    text = page.read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n")
    end = re.compile(rf"^{level} ", re.MULTILINE).search(text, start + len(heading))
    section = scratch / "section.md"  # extract_blocks reads a file
    section.write_text(text[start : end.start() if end else len(text)], encoding="utf-8")
    return [block.code for block in extract_blocks(section) if not block.hidden]


def count_tests(code: str) -> int:
    return len(re.findall(r"^(?:async )?def test_", code, re.MULTILINE))


def test_the_readme_snippet_is_a_test_file_that_passes(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    scratch = tmp_path_factory.mktemp("readme")
    [code] = section_blocks(ROOT / "README.md", "## Test your own code", scratch)
    write(pytester, code)
    run(pytester).assert_outcomes(passed=count_tests(code))
    assert count_tests(code) >= 1


def test_the_testing_guide_fixture_examples_pass(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    scratch = tmp_path_factory.mktemp("guide")
    blocks = section_blocks(ROOT / "docs" / "testing.md", "## Testing your own code", scratch)
    pytester.makeini(STRICT)
    for index, code in enumerate(blocks):
        pytester.makepyfile(**{f"test_guide_{index}": code})
    result = run(pytester)
    tests = sum(count_tests(code) for code in blocks)
    assert tests >= 3
    result.assert_outcomes(passed=tests)
