"""Column headers of the export files of HubSpot, Salesforce and Pipedrive.

Keys are the file kinds (``accounts``, ``contacts``, ``deals``, ``stage-history``); values map
the CRM's export header to a buyermap field. A preset's name is also the ``system`` of the
external ids it imports, so which preset a file gets decides which records it matches.

Detection (:func:`detect_preset`) therefore looks only at headers that one CRM alone writes
(:data:`SIGNATURES`, compared as written, case aside): Salesforce's API names (``AccountId``,
``StageName``, ``IsWon``), HubSpot's labels (``Record ID``, ``Company Domain Name``,
``Associated Company IDs``), Pipedrive's ``Object - Field`` headers. The CRM with the most
such headers wins; a tie detects nothing. Generic headers (``Name``, ``Email``, ``Amount``,
``Contact ID``) never decide, so one more or one less ordinary column cannot switch a file
from one CRM's ids to another's.
"""

from __future__ import annotations

from collections.abc import Iterable

_SF_ACCOUNT_API = {
    "Id": "external_id",
    "Name": "name",
    "Website": "domain",
    "NumberOfEmployees": "employees",
    "AnnualRevenue": "annual_revenue",
    "Industry": "industry",
    "BillingCountry": "country",
    "BillingState": "region",
    "OwnerId": "owner",
}
_SF_CONTACT_API = {
    "Id": "external_id",
    "AccountId": "company_external_id",
    "FirstName": "first_name",
    "LastName": "last_name",
    "Name": "full_name",
    "Email": "email",
    "Phone": "phone",
    "MobilePhone": "phone",
    "Title": "job_title",
    "Department": "department",
}
_SF_DEAL_API = {
    "Id": "external_id",
    "AccountId": "account_external_id",
    "ContactId": "contact_external_id",
    "Name": "name",
    "StageName": "stage",
    "Amount": "amount",
    "CloseDate": "expected_close",
    "CreatedDate": "opened_at",
    "IsWon": "is_won",
    "IsClosed": "is_closed",
    "LeadSource": "source",
    "OwnerId": "owner",
    "CurrencyIsoCode": "currency",
}
_SF_HISTORY_API = {
    "OpportunityId": "deal",
    "StageName": "stage",
    "CreatedDate": "changed_at",
    "Amount": "amount",
    "CreatedById": "changed_by",
}

PRESETS: dict[str, dict[str, dict[str, str]]] = {
    "hubspot": {
        "accounts": {
            "Record ID": "external_id",
            "Record ID - Company": "external_id",
            "Company ID": "external_id",
            "Company name": "name",
            "Company Domain Name": "domain",
            "Website URL": "domain",
            "Number of Employees": "employees",
            "Annual Revenue": "annual_revenue",
            "Industry": "industry",
            "Country/Region": "country",
            "State/Region": "region",
            "Year Founded": "founded_year",
            "Company owner": "owner",
        },
        "contacts": {
            "Record ID": "external_id",
            "Record ID - Contact": "external_id",
            "Contact ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Job Title": "job_title",
            "Phone Number": "phone",
            "Mobile Phone Number": "phone",
            "Seniority": "seniority",
            "Department": "department",
            "Company Name": "company_name",
            "Associated Company": "company_name",
            "Record ID - Company": "company_external_id",
            "Associated Company IDs": "company_external_id",
            "Associated Company ID": "company_external_id",
            "Company Domain Name": "company_domain",
            "Associated Company Domain": "company_domain",
        },
        "deals": {
            "Record ID": "external_id",
            "Record ID - Deal": "external_id",
            "Deal ID": "external_id",
            "Deal Name": "name",
            "Amount": "amount",
            "Deal Stage": "stage",
            "Pipeline": "pipeline",
            "Close Date": "expected_close",
            "Create Date": "opened_at",
            "Deal owner": "owner",
            "Associated Company": "account_name",
            "Record ID - Company": "account_external_id",
            "Associated Company IDs": "account_external_id",
            "Associated Company ID": "account_external_id",
            "Associated Company Domain": "account_domain",
            "Record ID - Contact": "contact_external_id",
            "Associated Contact IDs": "contact_external_id",
            "Associated Contact Email": "contact_email",
            "Currency": "currency",
            "Closed Lost Reason": "lost_reason",
            "Original Source Type": "source",
            "Deal source": "source",
        },
    },
    "salesforce": {
        "accounts": {
            **_SF_ACCOUNT_API,
            "Account ID": "external_id",
            "Account Name": "name",
            "Employees": "employees",
            "Annual Revenue": "annual_revenue",
            "Billing Country": "country",
            "Billing State/Province": "region",
            "Account Owner": "owner",
        },
        "contacts": {
            **_SF_CONTACT_API,
            "Contact ID": "external_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Mobile": "phone",
            "Account ID": "company_external_id",
            "Account Name": "company_name",
        },
        "deals": {
            **_SF_DEAL_API,
            "Opportunity ID": "external_id",
            "Opportunity Name": "name",
            "Account ID": "account_external_id",
            "Account Name": "account_name",
            "Stage": "stage",
            "Close Date": "expected_close",
            "Created Date": "opened_at",
            "Opportunity Owner": "owner",
            "Lead Source": "source",
            "Opportunity Currency": "currency",
            "Loss Reason": "lost_reason",
            "Won": "is_won",
            "Closed": "is_closed",
        },
        "stage-history": {
            **_SF_HISTORY_API,
            "Opportunity ID": "deal",
            "To Stage": "stage",
            "Stage": "stage",
            "Last Modified": "changed_at",
            "Edit Date": "changed_at",
            "Last Modified By": "changed_by",
        },
    },
    "pipedrive": {
        "accounts": {
            "Organization - ID": "external_id",
            "Organization - Name": "name",
            "Organization - Website": "domain",
            "Organization - Number of employees": "employees",
            "Organization - Annual revenue": "annual_revenue",
            "Organization - Industry": "industry",
            "Organization - Country": "country",
            "Organization - Owner": "owner",
        },
        "contacts": {
            "Person - ID": "external_id",
            "Person - Name": "full_name",
            "Person - First name": "first_name",
            "Person - Last name": "last_name",
            "Person - Email": "email",
            "Person - Email - Work": "email",
            "Person - Phone": "phone",
            "Person - Phone - Work": "phone",
            "Person - Job title": "job_title",
            "Person - Organization": "company_name",
            "Organization - Name": "company_name",
            "Organization - ID": "company_external_id",
        },
        "deals": {
            "Deal - ID": "external_id",
            "Deal - Title": "name",
            "Deal - Value": "amount",
            "Deal - Currency": "currency",
            "Deal - Stage": "stage",
            "Deal - Pipeline": "pipeline",
            "Deal - Status": "status",
            "Deal - Owner": "owner",
            "Deal - Deal created": "opened_at",
            "Deal - Expected close date": "expected_close",
            "Deal - Close time": "closed_at",
            "Deal - Won time": "closed_at",
            "Deal - Lost time": "closed_at",
            "Deal - Lost reason": "lost_reason",
            "Deal - Source": "source",
            "Deal - Organization": "account_name",
            "Organization - Name": "account_name",
            "Organization - ID": "account_external_id",
            "Person - ID": "contact_external_id",
            "Person - Email": "contact_email",
        },
    },
}

# Headers that only that CRM's exports have, as written (compared case-insensitively).
SIGNATURES: dict[str, frozenset[str]] = {
    "hubspot": frozenset(
        h.lower()
        for h in (
            "Record ID",
            "Record ID - Contact",
            "Record ID - Company",
            "Record ID - Deal",
            "Company Domain Name",
            "Associated Company",
            "Associated Company IDs",
            "Associated Company ID",
            "Associated Contact IDs",
            "Associated Company Domain",
            "Associated Contact Email",
            "Lifecycle Stage",
            "Lead Status",
            "Deal Stage",
            "Deal owner",
            "Contact owner",
            "Company owner",
            "Create Date",
            "Country/Region",
            "Closed Lost Reason",
        )
    ),
    "salesforce": frozenset(
        h.lower()
        for h in (
            "AccountId",
            "OpportunityId",
            "StageName",
            "IsWon",
            "IsClosed",
            "IsDeleted",
            "ForecastCategory",
            "ForecastCategoryName",
            "SystemModstamp",
            "MasterRecordId",
            "OwnerId",
            "CreatedById",
            "LastModifiedById",
            "CreatedDate",
            "LastModifiedDate",
            "NumberOfEmployees",
            "AnnualRevenue",
            "BillingCountry",
            "BillingState",
            "BillingCity",
            "LeadSource",
            "FirstName",
            "LastName",
            "MobilePhone",
            "ReportsToId",
            "CloseDate",
            "Account ID",
            "Opportunity ID",
            "Opportunity Name",
            "Opportunity Owner",
            "Billing Country",
            "Billing State/Province",
            "Account Owner",
        )
    ),
}
_PIPEDRIVE_PREFIXES = ("organization - ", "person - ", "deal - ", "activity - ", "lead - ")


def signature_hits(header: Iterable[str]) -> dict[str, int]:
    """How many of the file's headers only each CRM writes."""
    keys = [h.strip().lower() for h in header]
    hits = {name: sum(1 for k in keys if k in sig) for name, sig in SIGNATURES.items()}
    hits["pipedrive"] = sum(1 for k in keys if k.startswith(_PIPEDRIVE_PREFIXES))
    return hits


def detect_preset(header: Iterable[str]) -> str | None:
    """The CRM with the most headers only it writes; None when none or a tie."""
    hits = sorted(signature_hits(header).items(), key=lambda kv: -kv[1])
    (best, n), (_, runner_up) = hits[0], hits[1]
    return best if n > 0 and n > runner_up else None
