from kam.customers.models.customer import AccountTeamMember, Customer, CustomerQuerySet
from kam.customers.models.sites import Site
from kam.customers.models.tiers import GradeChangeRequest, TierPolicy

__all__ = ["AccountTeamMember", "Customer", "CustomerQuerySet", "GradeChangeRequest", "Site", "TierPolicy"]
from kam.customers.models.contacts import AttitudeAssessment, Contact, ContactQuerySet  # noqa: F401
