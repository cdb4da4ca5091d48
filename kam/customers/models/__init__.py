from kam.customers.models.customer import AccountTeamMember, Customer, CustomerQuerySet

__all__ = ["AccountTeamMember", "Customer", "CustomerQuerySet"]
from kam.customers.models.contacts import AttitudeAssessment, Contact, ContactQuerySet  # noqa: F401
