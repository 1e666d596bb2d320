import pytest

from terraform_source import AZURE_ROOT, parse_file, terraform_files

FILES = terraform_files()


def test_terraform_files_exist():
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=[str(path.relative_to(AZURE_ROOT)) for path in FILES])
def test_file_parses(path):
    parsed = parse_file(path)
    assert isinstance(parsed, dict)
