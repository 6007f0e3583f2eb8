"""The structure of every EMIF document kind a grid owner meets, as data (elhub-messages.md).

One declaration drives the lossless reader and writer (``kinds.py``) and the property tests
that generate documents from the structure. It is a second transcription of the structure
reference, next to the XSDs in ``schemas/contracts/elhub``: the tests validate what this
declaration produces against those XSDs, so the two check each other.

Leaf types (``El.type`` as a string): ``uuid``, ``dt3``, ``dt9``, ``bool``, ``str<N>``,
``int<MAX>``, ``dec<DIGITS>.<FRACTION>`` (``s`` suffix: signed), ``gsrn``, ``gln``, ``eic``,
``fixedtrue``, or ``enum:A|B|C``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attr:
    name: str
    type: str
    required: bool = True

    @property
    def key(self) -> str:
        return ATTR_KEYS.get(self.name, snake(self.name))

    @property
    def fixed(self) -> str | None:
        """The single value an attribute can have: written, never kept in the payload."""
        if self.type.startswith("enum:") and "|" not in self.type:
            return self.type[5:]
        return None


@dataclass(frozen=True)
class El:
    name: str
    type: str | tuple[Node, ...]
    min: int = 1
    max: int = 1
    attrs: tuple[Attr, ...] = ()
    key_: str | None = None
    flat: bool = False  # a reference: its one child's value stands for the element

    @property
    def key(self) -> str:
        return self.key_ or snake(self.name)

    @property
    def leaf(self) -> bool:
        return isinstance(self.type, str)

    @property
    def children(self) -> tuple[Node, ...]:
        assert not isinstance(self.type, str)
        return self.type


@dataclass(frozen=True)
class Choice:
    """Exactly one of ``options`` (its element name says which)."""

    options: tuple[El, ...]
    min: int = field(default=1)


Node = El | Choice
ATTR_KEYS = {"listAgencyIdentifier": "agency", "schemeAgencyIdentifier": "scheme",
             "MeterReadReasonCode": "reason_code"}


def snake(name: str) -> str:
    name = name.replace("NACE_", "Nace")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def opt(node: El) -> El:
    return El(node.name, node.type, 0, node.max, node.attrs, node.key_, node.flat)


def many(node: El, maximum: int, minimum: int = 1) -> El:
    return El(node.name, node.type, minimum, maximum, node.attrs, node.key_, node.flat)


def agency(values: str) -> tuple[Attr, ...]:
    return (Attr("listAgencyIdentifier", "enum:" + values),)


def ref(name: str, id_type: str, scheme: str, key: str | None = None) -> El:
    ident = El("Identification", id_type, attrs=(Attr("schemeAgencyIdentifier", "enum:" + scheme),))
    return El(name, (ident,), key_=key, flat=True)


def code(name: str, values: str, agencies: str | None = None) -> El:
    return El(name, "enum:" + values, attrs=agency(agencies) if agencies else ())


# -- 2: header and process context ---------------------------------------------------------------

DOCUMENT_TYPES = "21|294|392|406|414|432|E02|E07|E10|E13|E30|E31|E39|E58|E65|E66|E67|ERR"
PROCESSES = "BRS-NO-[1-6][0-9]{2}|POLL"
ROLES = "DDM|DDQ|DDK|DDE|MDR|DDZ|SLR|BSL|AG|QRY|DDX|PQ"
HEADER = El("Header", (
    El("Identification", "uuid", key_="id"),
    code("DocumentType", DOCUMENT_TYPES, "6|260"),
    El("Creation", "dt9"),
    El("RequestPositiveAcknowledgement", "bool", 0),
    ref("PhysicalSenderEnergyParty", "gln", "9", "physical_sender"),
    ref("JuridicalSenderEnergyParty", "gln", "9", "juridical_sender"),
    ref("JuridicalRecipientEnergyParty", "gln", "9", "juridical_recipient"),
))
CONTEXT = El("ProcessEnergyContext", (
    El("EnergyBusinessProcess", "pattern:" + PROCESSES, attrs=agency("89"), key_="process"),
    code("EnergyBusinessProcessRole", ROLES, "6|89"),
    El("EnergyIndustryClassification", "enum:23", key_="industry"),
), key_="context")

# -- 3: shared blocks ----------------------------------------------------------------------------

MP = ref("MeteringPointUsedDomainLocation", "gsrn", "9", "metering_point")
GRID_AREA = ref("MeteringGridAreaUsedDomainLocation", "eic", "305", "grid_area")
SUPPLIER = ref("BalanceSupplierInvolvedEnergyParty", "gln", "9", "balance_supplier")
COUNTRY = El("CountryCode", "pattern:[A-Z]{2}", attrs=agency("5"))
ADDRESS_FIELDS: tuple[Node, ...] = (
    El("StreetName", "str150", 0), El("StreetCode", "str10", 0),
    El("BuildingNumber", "str10", 0), El("FloorIdentification", "str10", 0),
    El("RoomIdentification", "str10", 0), El("Postcode", "str10"), El("CityName", "str50"),
    El("CitySubDivisionName", "str50", 0), El("MunicipalityCode", "str10", 0), COUNTRY,
    El("AddressFreeForm", "str100", 0))
MP_ADDRESS = El("MPAddressMeteringPointAddress", ADDRESS_FIELDS, 0, key_="address")
CADASTRAL = El("MPAddressCadastral", (El("Gnr", "str10"), El("Bnr", "str10"),
                                      El("Snr", "str10", 0), El("Fnr", "str10", 0)), 0,
               key_="cadastral")
COORDINATES = El("MPPositionMeteringPointGeographicalCoordinate",
                 (El("Latitude", "dec8.5"), El("Longitude", "dec8.5")), 0, key_="coordinates")
CUSTOMER_ADDRESS = El("ConsumerInvolvedCustomerAddress", (
    El("AddressType", "enum:invoiceadr|postaladr"), *ADDRESS_FIELDS,
    El("PostOfficeBox", "str40", 0), El("CareOf", "str80", 0), El("AttentionOf", "str80", 0),
    El("OnBehalf", "str80", 0)), 1, 2, key_="customer_addresses")
COMMUNICATION = El("Communication", (
    El("CommunicationChannel", "enum:Email|Mobile|Phone|Telefax"),
    El("CompleteNumber", "str100"), El("Description", "str100", 0)), 0, 99)
END_USER = El("Identification", "str11", attrs=(Attr("schemeAgencyIdentifier", "enum:82|Z01"),))
NAMES: tuple[Node, ...] = (El("Name", "str80", 0), El("GivenName", "str80", 0),
                           El("FamilyName", "str40", 0))
EXTENDED = El("ExtendedStorageMeteringValues", "bool")


def customer(variant: str, minimum: int = 1) -> El:
    """ConsumerInvolvedCustomerParty in its variant (section 3, customer-party variants)."""
    children: tuple[Node, ...]
    if variant == "start":
        children = (END_USER, *NAMES, EXTENDED, El("NACE_DivisionCode", "str10", 0),
                    COMMUNICATION)
    elif variant == "end":
        children = (END_USER, *NAMES, COMMUNICATION)
    elif variant == "notify":
        children = (opt(END_USER), *NAMES, EXTENDED, COMMUNICATION)
    elif variant == "update":
        children = (END_USER, *NAMES, EXTENDED, COMMUNICATION)
    elif variant == "search":
        children = (END_USER,)
    else:  # third party: only the extended-storage switch, which can only be turned on
        children = (El("ExtendedStorageMeteringValues", "fixedtrue", 0),)
    return El("ConsumerInvolvedCustomerParty", children, minimum, key_="customer")


MP_DETAIL_FIELDS: tuple[Node, ...] = (
    El("MeteringPointType", "enum:E17|E18|E19|E20", 0, attrs=agency("260")),
    El("MeteringPointSubTypeConsumption", "enum:A04|A07|A15|B27", 0, attrs=agency("89")),
    El("MeteringPointSubTypeProduction", "enum:B14|B16|B20|Z04|Z05|Z06", 0, attrs=agency("89")),
    El("MeterReadingCharacteristics", "enum:E13|E14|E16", 0, attrs=agency("260")),
    El("SettlementMethodType", "enum:E01|E02|Z01", 0, attrs=agency("260|89")),
    El("PhysicalStatusType", "enum:E22|E23|E31", 0, attrs=agency("260")),
    El("ContractedConnectionCapacityValue", "int999999999", 0),
    El("InstalledCapacity", "int999999999", 0),
    El("MeterReadingStartDate", "dt3", 0), El("MeterReadingFrequencyDuration", "int9999", 0),
    El("Description", "str80", 0), El("Priority", "enum:A|B|C|D|P", 0),
    El("BlockedForSwitching", "bool", 0),
    El("MeterReadingOccurrence", "enum:PT5M|PT15M|PT1H|PT60M", 0))


def mp_detail(name: str = "MpDetailMeteringPointCharacteristic", minimum: int = 0) -> El:
    return El(name, MP_DETAIL_FIELDS, minimum, key_="detail")


EAC = El("AnnualPeriodEstimatedMetrics", (El("Total", "int999999999999"),
                                          El("CalculationMethod", "enum:Automatic|Manual")),
         0, key_="annual_estimate")
EAC_TOTAL = El("AnnualPeriodEstimatedMetrics", (El("Total", "int999999999999"),), 0,
               key_="annual_estimate")
METER = El("MeteringInstallationMeterFacility", (
    El("MeterIdentification", "str18"), El("NumberOfDigits", "int99", 0),
    El("Constant", "dec12.5", 0), El("MeterLocation", "str80", 0)), 0, key_="meter")
TAXATION = El("MPTaxationProfile", (
    El("VATCode", "enum:E|S", 0), El("EnovaFeeType", "enum:ConsumptionDependent|Fixed", 0),
    El("EnovaFee", "dec5.2", 0), El("ElFee", "dec5.2", 0), El("ElCertificateShare", "dec5.2", 0),
    El("ConsumptionCode", "str10", 0), El("NACE_DivisionCode", "str10", 0)), 0, key_="taxation")
TAXATION_SHORT = El("MPTaxationProfile", (El("ConsumptionCode", "str10", 0),
                                          El("NACE_DivisionCode", "str10", 0)), 0,
                    key_="taxation")
PRODUCT_CODES = ("8716867000030|8716867000047|8716867000139|8716867000146|4700000000101|"
                 "4700000000201|4700000000301|4700000000302|4700000000303")
PRODUCT = El("ProductIncludedProductCharacteristics", (
    El("Identification", "enum:" + PRODUCT_CODES,
       attrs=(Attr("schemeAgencyIdentifier", "enum:9|89"),), key_="id"),
    El("UnitType", "enum:kWh|kvarh", key_="unit")), key_="product")
DIRECTION = El("Direction", "enum:In|Out")
CHANNELS = El("MeasurementDefinition", (
    PRODUCT, DIRECTION, El("Resolution", "enum:N|PT5M|PT15M|PT1H|PT60M"),
    El("ExcludeFromSettlement", "bool", 0)), 0, 99, key_="channels")
BUSINESS_TYPE = El("BusinessType", "pattern:HP0[1-4]|LS0[1-8]|MP0[12]|RE0[1-4]|SE02|"
                   "SE0[4-9]|SE[12][0-9]|SE3[01]", attrs=agency("89"))
REASONS = El("ResponseReasonType", "pattern:E[0-9][0-9]|E0[H-M]|EH0[0-9]{2}", 1, 99,
             agency("260|89"), key_="reasons")
ORIGINAL = El("OriginalBusinessDocumentReference", "uuid", key_="original_document")
START = El("StartOfOccurrence", "dt3", key_="start")
END = El("EndOfOccurrence", "dt3", key_="end")
SNAPSHOT = El("SnapShotOccurrence", "dt9", key_="snapshot")
PERIOD = El("Period", (El("Start", "dt3"), El("End", "dt3")))
END_REASON = El("ReasonForTransaction", "enum:Z41|Z42|Z44|Z45", 0, key_="reason")

# -- 5, 15, 16: time series ----------------------------------------------------------------------

SERIES_PERIOD = El("ObservationPeriodTimeSeriesPeriod", (
    El("ResolutionDuration", "enum:P1D|P1M|P1Y|PT5M|PT15M|PT30M|PT1H|PT60M", 0, key_="resolution"),
    El("Start", "dt3", 0), El("MeterReadingStart", "dec15.3", 0), El("End", "dt3", 0),
    El("MeterReadingEnd", "dec15.3", 0)), 0, key_="period")
QUALITY = Attr("Quality", "enum:56|81")
VALIDATION = Attr("ValidationCode", "pattern:V00[1-4]|V01[1-4]|V999")
ESTIMATION = Attr("EstimationCode", "pattern:E00[1-8]")
REASON_CODE = Attr("MeterReadReasonCode", "enum:1|4")
INTERVAL_VALUES: tuple[El, ...] = (
    El("Metered", "dec15.3"),
    El("Estimated", "dec15.3", attrs=(QUALITY, VALIDATION, ESTIMATION)),
    El("Temporary", "dec15.3", attrs=(VALIDATION, Attr(ESTIMATION.name, ESTIMATION.type, False))))
SEQUENCE = (Attr("Sequence", "int9999"),)
OBSERVATIONS = El("Observation", (Choice(INTERVAL_VALUES),), 1, 9999, SEQUENCE,
                  key_="observations")
WITHDRAWN = El("Withdrawn", "fixedtrue")
PROFILED = El("ProfiledObservation", (Choice((
    El("Metered", "dec15.3s", attrs=(REASON_CODE,)),
    El("Stipulated", "dec15.3s", attrs=(REASON_CODE,)),
    WITHDRAWN, El("MeterIndex", "dec15.3", attrs=(REASON_CODE,)))),), key_="profiled")
COLLECTED_SERIES = El("PayloadEnergyTimeSeries", (
    El("Identification", "uuid", key_="id"), El("RegistrationDateTime", "dt9", key_="registered"),
    SERIES_PERIOD, opt(PRODUCT),
    El("MPDetailMeasurementMeteringPointCharacteristic", (DIRECTION,), 0, key_="measurement"),
    MP,
    Choice((OBSERVATIONS, PROFILED, El("AnnualPeriodEstimatedMetrics",
                                       (El("Total", "int999999999999"),),
                                       key_="annual_estimate")))), 1, 9999)
BILLING_SERIES = El("PayloadEnergyTimeSeries", (
    El("Identification", "uuid", key_="id"), El("RegistrationDateTime", "dt9", key_="registered"),
    El("InsertDateTime", "dt9", 0, key_="inserted"),
    El("RequestReference", "uuid", 0, key_="request_reference"),
    El(SERIES_PERIOD.name, SERIES_PERIOD.type, key_="period"), PRODUCT,
    El("MPDetailMeasurementMeteringPointCharacteristic", (DIRECTION, opt(BUSINESS_TYPE)),
       key_="measurement"),
    opt(MP), opt(GRID_AREA),
    opt(ref("BalanceResponsibleInvolvedEnergyParty", "gln", "9", "balance_responsible")),
    opt(SUPPLIER),
    Choice((
        El("Observation", (Choice((*INTERVAL_VALUES, El(
            "Calculated", "dec15.3s",
            attrs=(Attr("ImbalanceSettlement", "xsdtrue", False),))),),),
           1, 9999, SEQUENCE, key_="observations"),
        El("ProfiledObservation", (Choice((
            El("Metered", "dec15.3s", attrs=(REASON_CODE,)), El("Estimated", "dec15.3s"),
            El("Stipulated", "dec15.3s", attrs=(REASON_CODE,)), WITHDRAWN)),), key_="profiled"),
    ))), 1, 9999)
RECONCILIATION_SERIES = El("PayloadEnergyTimeSeries", (
    El("Identification", "uuid", key_="id"),
    El("Currency", "enum:DKK|EUR|NOK|SEK", attrs=agency("5")),
    El("ReconciliationDate", "dt3"),
    El("RequestReference", "uuid", 0, key_="request_reference"),
    El("ObservationPeriodTimeSeriesPeriod", (
        El("ResolutionDuration", "enum:P1D|P1M|P1Y|PT5M|PT15M|PT30M|PT1H|PT60M",
           key_="resolution"), El("Start", "dt3"), El("End", "dt3")), key_="period"),
    PRODUCT,
    El("MPDetailMeasurementMeteringPointCharacteristic", (DIRECTION, opt(BUSINESS_TYPE)),
       key_="measurement"),
    GRID_AREA, SUPPLIER,
    El("Observation", (El("BalanceVolume", "dec15.3s"), El("BalanceAmount", "dec12.2s")),
       1, 9999, SEQUENCE, key_="observations")), 1, 9999)

# -- master data (6, 7, 12, 13) ------------------------------------------------------------------

UPDATE_MASTER_DATA = El("PayloadMasterDataMPEvent", (
    opt(START), El("Identification", "uuid", 0, key_="id"), opt(ORIGINAL), MP, opt(GRID_AREA),
    MP_ADDRESS, COORDINATES, CADASTRAL, mp_detail(), EAC, METER, TAXATION, CHANNELS), 1, 9999)
NOTIFY_CHARACTERISTICS = El("PayloadMasterdataMPEvent", (
    El("Identification", "uuid", 0, key_="id"), opt(ORIGINAL), START, opt(END), MP, MP_ADDRESS,
    COORDINATES, CADASTRAL, opt(SUPPLIER), customer("notify", 0), opt(GRID_AREA), mp_detail(),
    EAC, METER, TAXATION, CHANNELS), 1, 9999)
UPFRONT_ANSWER = El("PayloadMasterDataMPEvent", (
    ORIGINAL, SNAPSHOT, El("LastMeterReadingDate", "dt3", 0),
    El("DeliveryObligationDate", "dt3", 0), MP,
    ref("GridAccessProviderInvolvedEnergyParty", "gln", "9", "grid_access_provider"),
    MP_ADDRESS, CADASTRAL, opt(GRID_AREA), mp_detail(minimum=1),
    El(METER.name, METER.type, 0, key_="meter"), EAC_TOTAL, TAXATION_SHORT), 1, 99)


@dataclass(frozen=True)
class Kind:
    """One document kind: its root, namespace package, payload and canonical type."""

    root: str
    package: str | None
    payload: El
    message_type: str
    sends: bool  # the grid owner writes it to the datahub
    target: str  # the system that acts on it (README and routes.yaml)

    @property
    def namespace(self) -> str:
        middle = f"{self.package}:" if self.package else ""
        return f"urn:no:elhub:emif:{middle}{self.root}:v2"


def _mp_event(*children: Node) -> El:
    return El("PayloadMPEvent", children)


def _response(*children: Node) -> El:
    return El("PayloadResponseEvent", children)


REJECT = _response(ORIGINAL, REASONS, MP)
KINDS: tuple[Kind, ...] = (
    # -- start and end of supply (8, 9)
    Kind("RequestStartOfSupply", "market", _mp_event(
        START, opt(ORIGINAL), MP, opt(SUPPLIER), customer("start"), CUSTOMER_ADDRESS),
        "supply.start.requested", True, "kis"),
    Kind("ConfirmStartOfSupply", "market", _response(START, ORIGINAL, MP),
         "supply.start.accepted", False, "kis"),
    Kind("RejectStartOfSupply", "market", REJECT, "supply.start.refused", True, "kis"),
    Kind("NotifyStartOfSupply", "market", _mp_event(
        START, MP, GRID_AREA, MP_ADDRESS, COORDINATES, CADASTRAL, SUPPLIER, customer("start"),
        CUSTOMER_ADDRESS, mp_detail("MPDetailMeteringPointCharacteristics"), EAC, METER,
        TAXATION, CHANNELS), "supply.start.registered", False, "kis"),
    Kind("RequestEndOfSupply", "market", _mp_event(
        END, opt(ORIGINAL), END_REASON, MP, opt(SUPPLIER), customer("end"), CUSTOMER_ADDRESS),
        "supply.end.requested", True, "kis"),
    Kind("ConfirmEndOfSupply", "market", _response(END, ORIGINAL, MP),
         "supply.end.accepted", False, "kis"),
    Kind("RejectEndOfSupply", "market", REJECT, "supply.end.refused", False, "kis"),
    Kind("NotifyEndOfSupply", "market", _mp_event(
        END, END_REASON, MP, SUPPLIER, customer("end"), CUSTOMER_ADDRESS),
        "supply.end.registered", False, "kis"),
    # -- master data (6, 7)
    Kind("RequestUpdateMasterDataMeteringPoint", "masterdata", UPDATE_MASTER_DATA,
         "meteringpoint.update.requested", True, "elhub"),
    Kind("NotifyMeteringPointCharacteristics", "masterdata", NOTIFY_CHARACTERISTICS,
         "meteringpoint.characteristics.notified", False, "kis, nis"),
    # -- customer information (13)
    Kind("RequestUpdateCustomerInformation", "masterdata", El("PayloadMasterDataMPEvent", (
        opt(START), MP, customer("update"), CUSTOMER_ADDRESS)),
        "customer.update.requested", True, "elhub"),
    Kind("NotifyCustomerInformation", "masterdata", El("PayloadMasterDataMPEvent", (
        opt(ORIGINAL), opt(START), SNAPSHOT, MP, customer("notify"),
        many(CUSTOMER_ADDRESS, 2, 0))), "customer.information.notified", False, "kis"),
    # -- metering values (5, 14, 15, 16)
    Kind("CollectedData", "metering", COLLECTED_SERIES, "meteringvalues.reported", True,
         "metering"),
    Kind("RequestCollectedData", "metering", El("PayloadMeasuredDataRequest", (
        El("ReminderType", "enum:EAC|IV|MI|PV"),
        El("Reminder", (PERIOD, MP), 1, 9999, key_="reminders"))),
        "meteringvalues.resend.requested", False, "metering"),
    Kind("NotifyValidatedDataForBillingEnergy", "metering", BILLING_SERIES,
         "meteringvalues.validated.notified", False, "metering"),
    Kind("PriceVolumeCombinationForReconciliation", "metering", RECONCILIATION_SERIES,
         "reconciliation.notified", False, "kis"),
    # -- the Query service (12, 17, 18, 19)
    Kind("RequestUpfrontMeteringPointCharacteristics", "query", _mp_event(
        opt(MP), customer("search", 0),
        El("MPAddressMeteringPointAddress", (El("StreetName", "str150", 0),
                                             El("BuildingNumber", "str10", 0),
                                             El("Postcode", "str10", 0)), 0, key_="address"),
        El("MeteringInstallationMeterFacility", (El("MeterIdentification", "str18"),), 0,
           key_="meter")), "meteringpoint.upfront.requested", True, "elhub"),
    Kind("ResponseUpfrontMeteringPointCharacteristics", "query", UPFRONT_ANSWER,
         "meteringpoint.upfront.answered", False, "kis"),
    Kind("RequestDataFromElhub", "query", _mp_event(
        El("QueryTypeCode", "enum:MVRV|MVTS|MVVT|MDCU|MDMP|STLM"), opt(SNAPSHOT),
        opt(BUSINESS_TYPE), opt(PERIOD), opt(MP),
        opt(ref("MeteringGridAreaDomainLocation", "eic", "305", "grid_area"))),
        "datahub.query.requested", True, "elhub"),
    Kind("RequestToGridAccessProvider", "query", _mp_event(
        El("QueryCategory", "str18"), El("Subject", "str40"), El("RequestPublic", "str300", 0),
        El("RequestPrivate", "str300", 0), MP), "gridaccess.requested", False, "kis"),
    Kind("ResponseFromGridAccessProvider", "query", _response(
        ORIGINAL, El("QueryCategory", "str18", 0), El("Subject", "str40", 0),
        El("RequestPublic", "str300", 0), El("RequestPrivate", "str300", 0),
        El("FeedbackPublic", "str300", 0), El("FeedbackPrivate", "str300", 0), opt(MP)),
        "gridaccess.answered", True, "elhub"),
    Kind("RequestToElhub", "query", _mp_event(
        El("QueryCategory", "str18"), El("Subject", "str40"), El("Request", "str300"), MP),
        "datahub.requested", True, "elhub"),
    Kind("ResponseFromElhub", "query", _response(
        ORIGINAL, El("QueryCategory", "str18"), El("Subject", "str40"), El("Request", "str300"),
        El("Feedback", "str300"), MP), "datahub.answered", False, "kis"),
    # -- the rest (10, 11, 20)
    Kind("UpdateThirdPartyAccess", "thirdpartyaccess", _mp_event(
        El("UpdateIndicator", "enum:Add|Delete|Update"), MP, customer("thirdparty", 0)),
        "thirdparty.access.updated", True, "elhub"),
    Kind("Acknowledgement", None, _response(
        code("StatusType", "39|41", "6"), many(REASONS, 999, 0), ORIGINAL,
        El("OriginalPayloadReference", "uuid", 0, key_="original_payload")),
        "datahub.acknowledged", True, "elhub"),
    Kind("PollForData", None, El("Payload", (
        opt(ref("EnergyParty", "gln", "9", "energy_party")),
        El("EnergyBusinessProcessRole", "enum:" + ROLES, 0, attrs=agency("6|89")))),
        "datahub.polled", True, "elhub"),
)
BY_ROOT = {k.root: k for k in KINDS}
BY_TYPE = {k.message_type: k for k in KINDS}
