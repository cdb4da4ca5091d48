"""Load the offline reference data and create the built-in working calendars.

Regions (GB/T 2260), industries (GB/T 4754-2017), operator industry lines, and two calendars:
``24x7`` (every second counts) and ``cn-office`` (09:00-12:00 and 13:30-18:00 Monday to Friday,
Asia/Shanghai, with the mainland public holidays and make-up workdays of ``holidays_cn.json``).
"""

from datetime import time

from django.db import migrations

from kam.core.reference.industry import industry_line_for
from kam.core.reference.loaders import load_holidays, load_industries, load_industry_lines, load_regions

BUILTIN_CALENDARS = ("24x7", "cn-office")
OFFICE_HOURS = ((time(9), time(12)), (time(13, 30), time(18)))


def load(apps, schema_editor):
    db = schema_editor.connection.alias
    Region = apps.get_model("core", "Region")
    Industry = apps.get_model("core", "Industry")
    IndustryLine = apps.get_model("core", "IndustryLine")
    WorkingCalendar = apps.get_model("core", "WorkingCalendar")
    WorkingInterval = apps.get_model("core", "WorkingInterval")
    CalendarDay = apps.get_model("core", "CalendarDay")

    existing = set(Region.objects.using(db).values_list("code", flat=True))
    Region.objects.using(db).bulk_create(
        [
            Region(code=r.code, name=r.name, level=r.level, parent_id=r.parent)
            for r in load_regions()  # sorted by code: parents come first
            if r.code not in existing
        ],
        batch_size=500,
    )

    IndustryLine.objects.using(db).bulk_create(
        [IndustryLine(code=x.code, name_zh=x.name_zh, name_en=x.name_en, sort_order=x.sort_order)
         for x in load_industry_lines()],
        ignore_conflicts=True,
    )
    industries = load_industries()
    for level in ("section", "division"):
        Industry.objects.using(db).bulk_create(
            [
                Industry(
                    code=i.code, name_zh=i.name_zh, name_en=i.name_en, level=i.level, section_id=i.section,
                    line_id=industry_line_for(i.code),
                )
                for i in industries
                if i.level == level
            ],
            ignore_conflicts=True,
        )

    if not WorkingCalendar.objects.using(db).filter(code="24x7").exists():
        WorkingCalendar.objects.using(db).create(
            code="24x7", name="7×24", timezone="Asia/Shanghai", always=True, builtin=True
        )
    if not WorkingCalendar.objects.using(db).filter(code="cn-office").exists():
        office = WorkingCalendar.objects.using(db).create(
            code="cn-office", name="中国大陆工作日", timezone="Asia/Shanghai", workday_pattern=0, builtin=True
        )
        WorkingInterval.objects.using(db).bulk_create(
            [
                WorkingInterval(calendar=office, weekday=weekday, start=start, end=end)
                for weekday in range(5)
                for start, end in OFFICE_HOURS
            ]
        )
        CalendarDay.objects.using(db).bulk_create(
            [CalendarDay(calendar=office, date=d.date, kind=d.kind, name=d.name_zh) for d in load_holidays()]
        )


def unload(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("core", "WorkingCalendar").objects.using(db).filter(code__in=BUILTIN_CALENDARS).delete()
    Industry = apps.get_model("core", "Industry")
    Industry.objects.using(db).filter(level="division").delete()
    Industry.objects.using(db).all().delete()
    apps.get_model("core", "IndustryLine").objects.using(db).all().delete()
    Region = apps.get_model("core", "Region")
    for level in (3, 2, 1):
        Region.objects.using(db).filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload, elidable=False),
    ]
