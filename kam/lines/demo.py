"""Demo network: PoPs, a real topology (two PEs per city, aggregation rings, access switches, a CPE per
customer site) and dedicated lines for the customers made by the earlier steps, their ends bound to ports
whose ifAlias is the circuit id. Deterministic for a seed (``ctx.sub_rng("lines")``); bulk writes only."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from kam.core import demo
from kam.lines.choices import PRODUCT_LINE_TYPE, DeviceRole, LineStatus, Product, ProtectionLevel

# city code prefix → (letters, one-character name) for circuit ids: GZ-DIA-000123 / 粤穗-MSTP-000123
CITY_TAGS = {
    "4401": ("GZ", "穗"),
    "4402": ("SG", "韶"),
    "4403": ("SZ", "深"),
    "4404": ("ZH", "珠"),
    "4405": ("ST", "汕"),
    "4406": ("FS", "佛"),
    "4407": ("JM", "江"),
    "4408": ("ZJ", "湛"),
    "4409": ("MM", "茂"),
    "4412": ("ZQ", "肇"),
    "4413": ("HZ", "惠"),
    "4414": ("MZ", "梅"),
    "4415": ("SW", "汕"),
    "4416": ("HY", "河"),
    "4417": ("YJ", "阳"),
    "4418": ("QY", "清"),
    "4419": ("DG", "莞"),
    "4420": ("ZS", "中"),
    "4451": ("CZ", "潮"),
    "4452": ("JY", "揭"),
    "4453": ("YF", "云"),
    "4301": ("CS", "长"),
    "1101": ("BJ", "京"),
    "3101": ("SH", "沪"),
}
PROVINCE_CHAR = {"44": "粤", "43": "湘", "11": "京", "31": "沪"}
PRODUCT_CODE = {
    Product.DIA: "DIA",
    Product.MPLS_VPN: "MPLS",
    Product.SDH: "MSTP",
    Product.OTN: "OTN",
    Product.PTN: "PTN",
    Product.VOICE_PRI: "PRI",
    Product.VOICE_SIP: "SIP",
}
PRODUCT_WEIGHTS = {
    Product.DIA: 40,
    Product.MPLS_VPN: 22,
    Product.SDH: 12,
    Product.OTN: 5,
    Product.PTN: 8,
    Product.VOICE_PRI: 6,
    Product.VOICE_SIP: 7,
}
BANDWIDTHS = {
    Product.DIA: [10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 10_000_000],
    Product.MPLS_VPN: [10_000, 20_000, 50_000, 100_000, 1_000_000],
    Product.SDH: [2_048, 4_096, 10_240, 155_520],
    Product.OTN: [1_000_000, 10_000_000],
    Product.PTN: [10_000, 50_000, 100_000, 1_000_000],
    Product.VOICE_PRI: [2_048],
    Product.VOICE_SIP: [10_000, 20_000],
}
# yuan per Mbit/s per month, and a floor
PRICE = {
    Product.DIA: (Decimal("60"), Decimal("1500")),
    Product.MPLS_VPN: (Decimal("45"), Decimal("1200")),
    Product.SDH: (Decimal("300"), Decimal("800")),
    Product.OTN: (Decimal("8"), Decimal("12000")),
    Product.PTN: (Decimal("40"), Decimal("1000")),
    Product.VOICE_PRI: (Decimal("400"), Decimal("900")),
    Product.VOICE_SIP: (Decimal("50"), Decimal("600")),
}
PROTECTION_BY_GRADE = {
    "A1": ["aaa", "aaa", "aa"],
    "A2": ["aaa", "aa", "aa", "a"],
    "B1": ["aa", "a", "a"],
    "B2": ["a", "a", "normal"],
    "C": ["a", "normal", "normal"],
    "D": ["normal"],
}
LINES_PER_GRADE = {"A1": 12, "A2": 8, "B1": 6, "B2": 4, "C": 3, "D": 2}
VENDOR_MODELS = {
    "huawei": {"pe": "NE40E-X8A", "aggregation": "CX600-X3", "access": "S5735-L48T4X", "cpe": "AR651"},
    "h3c": {"pe": "CR16010", "aggregation": "S12508", "access": "S5130S-52S", "cpe": "MSR2630"},
    "zte": {"pe": "M6000-18S", "aggregation": "ZXCTN 9000-8E", "access": "ZXR10 5960", "cpe": "ZXR10 1800"},
    "cisco": {"pe": "ASR 9010", "aggregation": "ASR 920", "access": "Catalyst 9300", "cpe": "ISR 1100"},
    "raisecom": {"pe": "", "aggregation": "", "access": "ISCOM2924", "cpe": "ISCOM RAX711"},
    "juniper": {"pe": "MX960", "aggregation": "MX204", "access": "EX4300", "cpe": "SRX300"},
}


def port_name(vendor: str, slot: int, port: int, ten_gig: bool = False) -> str:
    """Interface names the way each vendor prints them."""
    if vendor == "huawei":
        return f"{'XGigabitEthernet' if ten_gig else 'GigabitEthernet'}{slot}/0/{port}"
    if vendor == "h3c":
        return f"{'Ten-GigabitEthernet' if ten_gig else 'GigabitEthernet'}{slot}/0/{port}"
    if vendor == "zte":
        return f"{'xgei' if ten_gig else 'gei'}-{slot}/1/{port}"
    if vendor == "cisco":
        return f"{'TenGigE' if ten_gig else 'GigabitEthernet'}0/{slot}/0/{port}"
    if vendor == "juniper":
        return f"{'xe' if ten_gig else 'ge'}-{slot}/0/{port}"
    return f"{'xgei' if ten_gig else 'ge'}{slot}/{port}"


class _Net:
    """Allocates management addresses and interfaces while the topology is laid out."""

    def __init__(self) -> None:
        self.next_host: dict[int, int] = defaultdict(lambda: 1)
        self.ports: dict[int, int] = defaultdict(int)

    def address(self, block: int) -> str:
        n = self.next_host[block]
        self.next_host[block] = n + 1
        return f"10.{block % 250}.{n // 250 + (block // 250) * 64}.{n % 250 + 1}"


def _city(region_code: str) -> str:
    return region_code[:4] + "00"


@demo.register("lines", order=50)
def build(ctx: demo.DemoContext) -> None:
    from kam.core.audit import record_bulk
    from kam.core.models import Region
    from kam.customers.models import Customer, Site
    from kam.lines.models import Device, Interface, Line, LineEndpoint, PointOfPresence

    rng = ctx.sub_rng("lines")
    customers = list(Customer.objects.order_by("pk").values_list("pk", "region_id", "value_grade", "name"))
    if not customers:
        ctx.log("demo: lines: no customers, nothing to do")
        return
    regions = {r.code: r for r in Region.objects.all()}
    sites_by_customer: dict[int, list[Any]] = defaultdict(list)
    for site in Site.objects.order_by("pk"):
        sites_by_customer[site.customer_id].append(site)
    missing = [
        Site(customer_id=pk, name="总部", address=name, region_id=region)
        for pk, region, _grade, name in customers
        if pk not in sites_by_customer
    ]
    if missing:
        Site.objects.bulk_create(missing, batch_size=1000)
        for site in Site.objects.filter(customer_id__in=[s.customer_id for s in missing]).order_by("pk"):
            sites_by_customer[site.customer_id].append(site)

    # --- points of presence and the core/aggregation/access layers, per city ---
    city_codes = sorted({_city(region) if _city(region) in regions else region for _pk, region, *_ in customers})
    net = _Net()
    aggs_per_city = ctx.pick(4, 8, 16)
    access_per_agg = ctx.pick(3, 5, 8)
    pops: list[PointOfPresence] = []
    for city in city_codes:
        tag = CITY_TAGS.get(city[:4], (f"C{city[:4]}", ""))[0]
        pops.append(
            PointOfPresence(
                code=f"{tag}-CORE-01",
                name=f"{regions[city].name}核心局",
                kind="central_office",
                region=regions[city],
                address=f"{regions[city].name}通信枢纽楼",
            )
        )
        for n in range(1, aggs_per_city // 2 + 1):
            pops.append(
                PointOfPresence(
                    code=f"{tag}-POP-{n:02d}",
                    name=f"{regions[city].name}汇聚局{n:02d}",
                    kind="pop",
                    region=regions[city],
                    address=f"{regions[city].name}汇聚机楼{n}号",
                )
            )
    PointOfPresence.objects.bulk_create(pops, batch_size=500)
    pops = list(PointOfPresence.objects.filter(code__in=[p.code for p in pops]).order_by("pk"))
    record_bulk(list[Any](pops), note="demo")
    pops_by_city: dict[str, list[PointOfPresence]] = defaultdict(list)
    for pop in pops:
        pops_by_city[pop.region_id].append(pop)

    vendors_core = ["huawei", "zte", "h3c", "cisco", "juniper"]
    vendors_access = ["huawei", "huawei", "h3c", "zte", "raisecom"]

    def make(name: str, role: str, vendor: str, block: int, region_id: str, **where: Any) -> Device:
        return Device(
            name=name,
            role=role,
            vendor=vendor,
            model=VENDOR_MODELS[vendor][role] or VENDOR_MODELS["huawei"][role],
            mgmt_address=net.address(block),
            sys_name=name,
            region_id=region_id,
            status="active",
            snmp_version="v2c",
            snmp_community="kam-demo-ro",
            last_discovered_at=ctx.now - timedelta(hours=rng.randint(1, 48)),
            **where,
        )

    pes: dict[str, list[Device]] = {}
    for index, city in enumerate(city_codes):
        tag = CITY_TAGS.get(city[:4], (f"C{city[:4]}", ""))[0].lower()
        core = pops_by_city[city][0]
        vendor = vendors_core[index % len(vendors_core)]
        pes[city] = [make(f"{tag}-core-pe-{n:02d}", DeviceRole.PE, vendor, index, city, pop=core) for n in (1, 2)]
    Device.objects.bulk_create([d for ds in pes.values() for d in ds], batch_size=500)

    aggs: dict[str, list[Device]] = {}
    for index, city in enumerate(city_codes):
        tag = CITY_TAGS.get(city[:4], (f"C{city[:4]}", ""))[0].lower()
        city_pops = pops_by_city[city][1:] or pops_by_city[city]
        vendor = vendors_core[(index + 1) % len(vendors_core)]
        # an aggregation ring: the switches alternate between the two PEs
        aggs[city] = [
            make(
                f"{tag}-agg-{n:02d}",
                DeviceRole.AGGREGATION,
                vendor,
                index,
                city,
                pop=city_pops[(n - 1) // 2 % len(city_pops)],
                parent=pes[city][(n - 1) % 2],
            )
            for n in range(1, aggs_per_city + 1)
        ]
    Device.objects.bulk_create([d for ds in aggs.values() for d in ds], batch_size=500)

    accesses: dict[str, list[Device]] = {}
    for index, city in enumerate(city_codes):
        tag = CITY_TAGS.get(city[:4], (f"C{city[:4]}", ""))[0].lower()
        accesses[city] = []
        for agg_no, agg in enumerate(aggs[city], start=1):
            for n in range(1, access_per_agg + 1):
                vendor = vendors_access[rng.randrange(len(vendors_access))]
                accesses[city].append(
                    make(
                        f"{tag}-acc-{agg_no:02d}{n:02d}",
                        DeviceRole.ACCESS,
                        vendor,
                        index,
                        city,
                        pop=agg.pop,
                        parent=agg,
                    )
                )
    Device.objects.bulk_create([d for ds in accesses.values() for d in ds], batch_size=1000)

    cpes: dict[int, Device] = {}  # site id → CPE
    cpe_list: list[Device] = []
    customer_city = {pk: (_city(region) if _city(region) in regions else region) for pk, region, *_ in customers}
    serial = 0
    for pk, _region, _grade, _name in customers:
        city = customer_city[pk]
        tag = CITY_TAGS.get(city[:4], (f"C{city[:4]}", ""))[0].lower()
        for site in sites_by_customer[pk]:
            serial += 1
            vendor = vendors_access[rng.randrange(len(vendors_access))]
            device = make(
                f"{tag}-cpe-{serial:05d}",
                DeviceRole.CPE,
                vendor,
                100 + city_codes.index(city),
                site.region_id,
                site=site,
                parent=rng.choice(accesses[city]),
            )
            cpes[site.pk] = device
            cpe_list.append(device)
    Device.objects.bulk_create(cpe_list, batch_size=1000)
    all_devices = [d for ds in pes.values() for d in ds] + [d for ds in aggs.values() for d in ds]
    all_devices += [d for ds in accesses.values() for d in ds] + cpe_list

    # --- lines ---
    total_target = ctx.pick(1500, 6000, 30000)
    weights = [LINES_PER_GRADE.get(grade, 3) for _pk, _r, grade, _n in customers]
    scale = total_target / max(1, sum(weights))
    products = list(PRODUCT_WEIGHTS)
    product_weights = [PRODUCT_WEIGHTS[p] for p in products]
    counters: dict[str, int] = defaultdict(int)
    lines: list[Line] = []
    plans: list[tuple[Line, Device, Device, int | None]] = []
    statuses = [LineStatus.ACTIVE] * 85 + [LineStatus.PROVISIONING] * 5 + [LineStatus.PLANNED] * 3
    statuses += [LineStatus.SUSPENDED] * 3 + [LineStatus.TERMINATED] * 4
    remainder = 0.0
    for (pk, _region, grade, _name), weight in zip(customers, weights, strict=True):
        remainder += weight * scale
        count = int(remainder)
        remainder -= count
        city = customer_city[pk]
        sites = sites_by_customer[pk]
        letters, char = CITY_TAGS.get(city[:4], (f"C{city[:4]}", ""))
        for _ in range(count):
            product = rng.choices(products, weights=product_weights)[0]
            if product == Product.SDH and char:
                prefix = f"{PROVINCE_CHAR.get(city[:2], '')}{char}-{PRODUCT_CODE[product]}"
            else:
                prefix = f"{letters}-{PRODUCT_CODE[product]}"
            counters[prefix] += 1
            seq = counters[prefix]
            circuit = f"{prefix}-{seq:06d}"
            kbps = rng.choice(BANDWIDTHS[product])
            per_mbps, floor = PRICE[product]
            fee = max(floor, (per_mbps * Decimal(kbps) / Decimal(1000)).quantize(Decimal("1"))).quantize(
                Decimal("0.01")
            )
            status = rng.choice(statuses)
            activated = None
            if status in (LineStatus.ACTIVE, LineStatus.SUSPENDED, LineStatus.TERMINATED):
                activated = ctx.now - timedelta(days=rng.randint(20, 1500), minutes=rng.randint(0, 1440))
            terminated = None
            if status == LineStatus.TERMINATED and activated is not None:
                terminated = activated + timedelta(days=rng.randint(10, max(11, (ctx.now - activated).days)))
                terminated = min(terminated, ctx.now - timedelta(days=1))
            a_site = rng.choice(sites)
            z_site = rng.choice(sites) if product == Product.MPLS_VPN and len(sites) > 1 else None
            if z_site is not None and z_site.pk == a_site.pk:
                z_site = None
            line = Line(
                circuit_id=circuit,
                customer_id=pk,
                product=product,
                line_type=PRODUCT_LINE_TYPE[product],
                bandwidth_kbps=kbps,
                protection_level=rng.choice(PROTECTION_BY_GRADE.get(grade, ["normal"])),
                status=status,
                monthly_fee=fee,
                contract_ref=f"HT-{ctx.now.year - rng.randint(0, 3)}-{pk:05d}",
                activated_at=activated,
                terminated_at=terminated,
                a_site=a_site,
                z_site=z_site,
                region_id=a_site.region_id,
                test_address=f"100.{64 + city_codes.index(city) % 64}.{seq // 250 % 256}.{seq % 250 + 1}"
                if product in (Product.DIA, Product.MPLS_VPN, Product.PTN)
                else None,
            )
            lines.append(line)
            a_device = cpes[a_site.pk]
            if z_site is not None:
                z_device = cpes[z_site.pk]
            elif product in (Product.SDH, Product.OTN):
                z_device = rng.choice(aggs[city])
            else:
                z_device = rng.choice(pes[city])
            vlan = rng.randint(100, 3999) if product in (Product.DIA, Product.MPLS_VPN, Product.PTN) else None
            plans.append((line, a_device, z_device, vlan))
    Line.objects.bulk_create(lines, batch_size=1000)

    # --- interfaces: an uplink per device, a port per line end with ifAlias = circuit id ---
    interfaces: list[Interface] = []
    next_index: dict[int, int] = defaultdict(lambda: 1)

    def port(device: Device, alias: str, kbps: int) -> Interface:
        index = next_index[device.pk]
        next_index[device.pk] = index + 1
        ten = kbps > 1_000_000 or device.role == DeviceRole.PE
        slot = 1 + (index - 1) // 48
        iface = Interface(
            device=device,
            if_index=index,
            if_name=port_name(device.vendor, slot, (index - 1) % 48 + 1, ten),
            if_alias=alias,
            speed_kbps=10_000_000 if ten else 1_000_000,
            admin_status="up",
            oper_status="up",
            last_change=ctx.now - timedelta(days=rng.randint(1, 300)),
        )
        interfaces.append(iface)
        return iface

    for device in all_devices:
        if device.parent_id:
            port(device, f"uplink to {device.parent.name}" if device.parent else "uplink", 10_000_000)
    ends: list[tuple[Line, str, Interface, int | None]] = []
    for line, a_device, z_device, vlan in plans:
        a_if = port(a_device, line.circuit_id, line.bandwidth_kbps)
        z_if = port(z_device, line.circuit_id, line.bandwidth_kbps)
        if line.status in (LineStatus.TERMINATED, LineStatus.SUSPENDED):
            a_if.oper_status = "down"
        ends.append((line, "A", a_if, vlan))
        ends.append((line, "Z", z_if, vlan))
    Interface.objects.bulk_create(interfaces, batch_size=2000)
    endpoints = [
        LineEndpoint(
            line=line,
            end=end,
            interface=iface if line.status != LineStatus.PLANNED else None,
            vlan=vlan,
            role="primary",
        )
        for line, end, iface, vlan in ends
    ]
    # AAA lines are dual-homed: a backup Z end on the other PE
    for line, _a, z_device, vlan in plans:
        if line.protection_level == ProtectionLevel.AAA and z_device.role == DeviceRole.PE:
            city = customer_city[line.customer_id]
            other = next(d for d in pes[city] if d.pk != z_device.pk)
            endpoints.append(LineEndpoint(line=line, end="Z", role="backup", vlan=vlan, interface=None))
            endpoints[-1].interface = port(other, line.circuit_id, line.bandwidth_kbps)
    Interface.objects.bulk_create([i for i in interfaces if i.pk is None], batch_size=2000)
    LineEndpoint.objects.bulk_create(endpoints, batch_size=2000)
    if ctx.scale != "large":
        record_bulk(list[Any](lines), note="demo")
    ctx.data["lines_count"] = len(lines)
    ctx.data["devices_count"] = len(all_devices)
    ctx.log(
        f"demo: lines: {len(pops)} PoPs, {len(all_devices)} devices ({len(cpe_list)} CPE), "
        f"{len(interfaces)} interfaces, {len(lines)} lines"
    )


def register_steps() -> None:
    """Imported by the app's ready(); the decorator above registers the step."""
