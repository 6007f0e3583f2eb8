"""Code lists: every member has both labels, and the seed's Swedish wording is kept."""

import pytest

from schemas.codes import (
    LABELS,
    LANGUAGES,
    VALID_JOB_TYPES,
    CaseStatus,
    InstallationType,
    JobType,
    LabelledEnum,
    TemporaryKind,
    WorkOrderKind,
)


def _labelled_enums() -> list[type[LabelledEnum]]:
    return list(LABELS)


@pytest.mark.parametrize("enum", _labelled_enums(), ids=lambda e: e.__name__)
def test_every_member_has_a_label_in_every_language(enum):
    assert set(LABELS[enum]) == set(enum.__members__)
    for member in enum:
        assert member.value == member.name  # English names and values
        for lang in LANGUAGES:
            assert member.label(lang).strip()


def test_every_labelled_enum_subclass_has_a_table():
    assert set(LabelledEnum.__subclasses__()) == set(LABELS)


@pytest.mark.parametrize(
    ("member", "swedish"),
    [
        (CaseStatus.draft, "Ej skickat"),
        (CaseStatus.submitted, "För godkännande"),
        (CaseStatus.approved, "Installationsmedgivande"),
        (CaseStatus.pre_rejected, "Avvisad föranmälan"),
        (CaseStatus.completion_submitted, "Färdiganmälan"),
        (CaseStatus.completion_rejected, "Avvisad färdiganmälan"),
        (CaseStatus.completion_approved, "Arkiverad av Nätthandläggare"),
        (CaseStatus.archived, "Arkiverad"),
        (CaseStatus.cancelled, "Avbruten"),
        (InstallationType.new_installation, "Ny anläggning"),
        (InstallationType.extension, "Utökning"),
        (InstallationType.temporary, "Tillfällig anläggning"),
        (InstallationType.service_change, "Servisändring"),
        (InstallationType.fuse_change, "Säkringsändring"),
        (InstallationType.work_in_existing, "Arbete i befintlig anläggning"),
        (TemporaryKind.connect, "Inkoppling"),
        (TemporaryKind.disconnect, "Bortkoppling"),
        (JobType.single_meter, "Anläggning med en mätare"),
        (JobType.multiple_meters, "Ny anläggning med flera mätare"),
        (JobType.production, "Produktionsanläggning"),
        (JobType.fuse_upgrade, "Uppsäkring"),
    ],
)
def test_swedish_labels_follow_the_manual(member, swedish):
    assert member.label("sv") == swedish
    assert member.label() == swedish  # Swedish is the default


def test_norwegian_work_order_labels_use_seed_003_wording():
    assert WorkOrderKind.meter_new_installation.label("nb") == "Måler i nytt anlegg"
    assert WorkOrderKind.meter_removal.label("nb") == "Nedtak av måler"
    assert WorkOrderKind.meter_replacement.label("nb") == "Målerbytte"
    assert WorkOrderKind.closing.label("nb") == "Stenging"
    assert CaseStatus.cancelled.label("nb") == "Avbrutt"


def test_unknown_language_is_named():
    with pytest.raises(ValueError, match="no labels in language 'de'"):
        CaseStatus.draft.label("de")


def test_every_installation_type_offers_job_types():
    assert set(VALID_JOB_TYPES) == set(InstallationType)
    assert all(VALID_JOB_TYPES.values())
    offered = set().union(*VALID_JOB_TYPES.values())
    assert offered == set(JobType)  # no job type is unreachable


def test_job_types_of_the_manual():
    new = VALID_JOB_TYPES[InstallationType.new_installation]
    assert new == {JobType.single_meter, JobType.multiple_meters, JobType.production}
    assert JobType.fuse_upgrade in VALID_JOB_TYPES[InstallationType.fuse_change]
    assert JobType.single_meter in VALID_JOB_TYPES[InstallationType.service_change]  # seed 001
    assert JobType.fuse_upgrade not in new
