import pytest

from protocols.library import PublishedVersionChanged, definition_files, protocol_library_sync, read_definition
from protocols.models import ProtocolVersion

pytestmark = pytest.mark.django_db


def test_every_contract_protocol_is_published_after_migrate():
    codes = set(ProtocolVersion.objects.values_list("protocol__code", flat=True))
    assert codes == {"conservative-calcific-iat", "post-surgical-calcific-iat", "conservative-achilles-ho"}


def test_loading_the_library_again_publishes_nothing_new():
    assert protocol_library_sync() == []
    assert ProtocolVersion.objects.count() == len(definition_files())


def test_editing_a_published_version_is_refused(tmp_path):
    path = definition_files()[0]
    data = read_definition(path)
    data["rules"]["pain_improvement_points"] = 3
    import yaml

    changed = tmp_path / path.name
    changed.write_text(yaml.safe_dump(data))
    with pytest.raises(PublishedVersionChanged, match="new version"):
        protocol_library_sync(paths=[changed])


def test_a_new_version_is_published_beside_the_old_one(tmp_path):
    import yaml

    path = definition_files()[0]
    data = read_definition(path)
    data["version"] = 2
    data["rules"]["review_grace_hours"] = 48
    new = tmp_path / "v2.yaml"
    new.write_text(yaml.safe_dump(data))
    assert protocol_library_sync(paths=[new]) == [f"{data['code']} v2"]
    versions = ProtocolVersion.objects.filter(protocol__code=data["code"]).order_by("version")
    assert [v.definition.rule("review_grace_hours") for v in versions] == [24, 48]
