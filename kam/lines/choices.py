from django.db import models
from django.utils.translation import gettext_lazy as _


class PopKind(models.TextChoices):
    POP = "pop", _("Point of presence")
    CENTRAL_OFFICE = "central_office", _("Central office")
    DATA_CENTRE = "data_centre", _("Data centre")


class DeviceRole(models.TextChoices):
    PE = "pe", _("PE (core)")
    AGGREGATION = "aggregation", _("Aggregation")
    ACCESS = "access", _("Access")
    CPE = "cpe", _("CPE")


# From the core downwards; a parent uplink normally has a lower rank than its child.
ROLE_RANK = {DeviceRole.PE: 0, DeviceRole.AGGREGATION: 1, DeviceRole.ACCESS: 2, DeviceRole.CPE: 3}


class Vendor(models.TextChoices):
    HUAWEI = "huawei", _("Huawei")
    H3C = "h3c", _("H3C")
    ZTE = "zte", _("ZTE")
    CISCO = "cisco", _("Cisco")
    RAISECOM = "raisecom", _("Raisecom")
    JUNIPER = "juniper", _("Juniper")
    OTHER = "other", _("Other")


class DeviceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    UNREACHABLE = "unreachable", _("Unreachable")
    RETIRED = "retired", _("Retired")


class SnmpVersion(models.TextChoices):
    V1 = "v1", _("SNMPv1")
    V2C = "v2c", _("SNMPv2c")
    V3 = "v3", _("SNMPv3")


class SnmpAuthProtocol(models.TextChoices):
    NONE = "", _("None")
    MD5 = "md5", "MD5"
    SHA = "sha", "SHA"
    SHA256 = "sha256", "SHA-256"


class SnmpPrivProtocol(models.TextChoices):
    NONE = "", _("None")
    DES = "des", "DES"
    AES = "aes", "AES-128"
    AES256 = "aes256", "AES-256"


class LocationKind(models.TextChoices):
    CUSTOMER_PREMISES = "customer_premises", _("Customer premises (CPE)")
    CENTRAL_OFFICE = "central_office", _("Central office")


class IfStatus(models.TextChoices):
    UP = "up", _("Up")
    DOWN = "down", _("Down")
    TESTING = "testing", _("Testing")
    UNKNOWN = "unknown", _("Unknown")
    DORMANT = "dormant", _("Dormant")
    NOT_PRESENT = "not_present", _("Not present")
    LOWER_LAYER_DOWN = "lower_layer_down", _("Lower layer down")


# IF-MIB ifOperStatus / ifAdminStatus integer values.
IF_STATUS_BY_CODE = {
    1: IfStatus.UP,
    2: IfStatus.DOWN,
    3: IfStatus.TESTING,
    4: IfStatus.UNKNOWN,
    5: IfStatus.DORMANT,
    6: IfStatus.NOT_PRESENT,
    7: IfStatus.LOWER_LAYER_DOWN,
}


class Product(models.TextChoices):
    DIA = "dia", _("Dedicated internet access")
    MPLS_VPN = "mpls_vpn", _("MPLS VPN")
    SDH = "sdh", _("SDH / MSTP")
    OTN = "otn", _("OTN wavelength")
    PTN = "ptn", _("PTN / IP-RAN")
    VOICE_PRI = "voice_pri", _("Voice PRI trunk")
    VOICE_SIP = "voice_sip", _("Voice SIP trunk")


class LineType(models.TextChoices):
    DIA = "dia", _("DIA")
    MPLS_VPN = "mpls_vpn", _("MPLS VPN")
    SDH = "sdh", _("SDH")
    OTN = "otn", _("OTN")
    VOICE = "voice", _("Voice")


# The line type a product normally runs as.
PRODUCT_LINE_TYPE: dict[str, str] = {
    Product.DIA: LineType.DIA,
    Product.MPLS_VPN: LineType.MPLS_VPN,
    Product.SDH: LineType.SDH,
    Product.OTN: LineType.OTN,
    Product.PTN: LineType.MPLS_VPN,
    Product.VOICE_PRI: LineType.VOICE,
    Product.VOICE_SIP: LineType.VOICE,
}


class ProtectionLevel(models.TextChoices):
    AAA = "aaa", _("AAA")
    AA = "aa", _("AA")
    A = "a", _("A")
    NORMAL = "normal", _("Normal")


class LineStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class End(models.TextChoices):
    A = "A", _("A end")
    Z = "Z", _("Z end")


class EndpointRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    BACKUP = "backup", _("Backup")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class DiscoveryStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
