from kam.customers.models.customer import AccountTeamMember, Customer, CustomerQuerySet

__all__ = ["AccountTeamMember", "Customer", "CustomerQuerySet"]
