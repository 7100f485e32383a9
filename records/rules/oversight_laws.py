"""The surveillance-oversight laws every database starts with (`migrate` seeds them, with their places:
records/importers/oversight_laws.py), with their citations; editors add more in the admin.

Dates are the law's passage or effective date as its notes say; an editor corrects one in the admin and the
seed leaves an existing law as it is (looked up by jurisdiction and citation)."""

import datetime

# (level, state, place name), law fields[, the slugs of the only technologies it covers].
OVERSIGHT_LAWS = [
    (
        ("city", "WA", "Seattle"),
        {
            "name": "Seattle Surveillance Ordinance",
            "citation": "Seattle Municipal Code ch. 14.18 (Ord. 125376, amended by Ord. 125679)",
            "effective_on": datetime.date(2017, 9, 1),
            "source_url": "https://library.municode.com/wa/seattle/codes/municipal_code?nodeId=TIT14HURI_CH14.18ACUSSUTE",
            "requires_approval": True,
            "requires_impact_report": True,
            "notes": "Council approval by ordinance of a surveillance impact report before acquiring surveillance "
            "technology (SMC 14.18.020); annual equity impact assessment and usage review. Ordinance 125376 passed "
            "in 2017; the effective date shown is approximate.",
        },
    ),
    (
        ("city", "CA", "Oakland"),
        {
            "name": "Oakland Surveillance and Community Safety Ordinance",
            "citation": "Oakland Municipal Code ch. 9.64 (Ord. 13489 C.M.S.)",
            "effective_on": datetime.date(2018, 5, 15),
            "source_url": "https://library.municode.com/ca/oakland/codes/code_of_ordinances?nodeId=TIT9PUPEMOWE_CH9.64REACUSSUTE",
            "requires_approval": True,
            "requires_grant_approval": True,
            "requires_impact_report": True,
            "requires_use_policy": True,
            "notes": "Privacy Advisory Commission review and City Council approval, with a surveillance impact "
            "report and use policy, before seeking grant funds for or acquiring surveillance technology; an "
            "annual surveillance report (OMC 9.64.010, 9.64.020). Date: adoption by the Council.",
        },
    ),
    (
        ("city", "CA", "San Francisco"),
        {
            "name": "San Francisco Acquisition of Surveillance Technology Ordinance",
            "citation": "San Francisco Administrative Code ch. 19B (Ord. 107-19)",
            "effective_on": datetime.date(2019, 6, 30),
            "source_url": "https://codelibrary.amlegal.com/codes/san_francisco/latest/sf_admin/0-0-0-47320",
            "requires_approval": True,
            "requires_grant_approval": True,
            "requires_impact_report": True,
            "requires_use_policy": True,
            "notes": "Board of Supervisors approval of a surveillance technology policy, after a surveillance impact "
            "report, before seeking funds for or acquiring surveillance technology; bans face recognition by "
            "City departments; annual surveillance report. Ordinance 107-19 (Board file 190568, amended in Board "
            "May 21, 2019); the effective date shown is approximate.",
        },
    ),
    (
        ("city", "MA", "Cambridge"),
        {
            "name": "Cambridge Surveillance Technology Ordinance",
            "citation": "Cambridge Municipal Code ch. 2.128",
            # Adopted by the City Council on December 10, 2018 (City of Cambridge, news of November 2019), in
            # force nine months after its passage (ACLU of Massachusetts, privacysos.org).
            "effective_on": datetime.date(2019, 9, 10),
            "source_url": "https://library.municode.com/ma/cambridge/codes/code_of_ordinances?nodeId=TIT2ADPE_CH2.128SUTEOR",
            "requires_approval": True,
            "requires_grant_approval": True,
            "requires_impact_report": True,
            "requires_use_policy": True,
            "annual_report_month": 3,
            "annual_report_day": 1,
            "notes": "City Council approval, with a surveillance technology impact report and use policy, before "
            "seeking funds for or acquiring surveillance technology; an annual surveillance report, due by March 1 "
            "each year from 2020. Adopted December 10, 2018; in force nine months later.",
        },
    ),
    (
        ("city", "TN", "Nashville"),
        {
            "name": "Metropolitan Nashville surveillance technology ordinance",
            "citation": "Metropolitan Code § 13.08.080 (Ord. BL2017-646)",
            "effective_on": datetime.date(2017, 6, 6),
            "source_url": "https://library.municode.com/tn/metro_government_of_nashville_and_davidson_county/codes/code_of_ordinances?nodeId=CD_TIT13STSIPUPL_CH13.08EXSTSI_13.08.080SUTE",
            "requires_approval": True,
            "notes": "Metropolitan Council approval by resolution after a public hearing before installing "
            "surveillance technology in the public right of way or agreeing with private entities to acquire or "
            "share it (§ 13.08.080 C). Date: passage (June 2017).",
        },
    ),
    (
        ("city", "NY", "New York City"),
        {
            "name": "Public Oversight of Surveillance Technology (POST) Act",
            "citation": "N.Y.C. Admin. Code § 14-188 (Local Law 65 of 2020)",
            "effective_on": datetime.date(2020, 7, 15),
            "source_url": "https://codelibrary.amlegal.com/codes/newyorkcity/latest/NYCadmin/0-0-0-140556",
            "requires_approval": False,
            "requires_impact_report": True,
            "requires_use_policy": True,
            "notes": "The NYPD publishes an impact and use policy for each surveillance technology, open to public "
            "comment, before using a new one; no Council vote is required. Date: enactment (Int. 0487-2018, "
            "enacted July 15, 2020 as Local Law 65).",
        },
    ),
    (
        ("state", "CA", "California"),
        {
            "name": "California AB 481 (military equipment)",
            "citation": "Cal. Gov. Code §§ 7070–7075",
            "effective_on": datetime.date(2022, 1, 1),
            "source_url": "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id=202120220AB481",
            "requires_approval": True,
            "requires_grant_approval": True,
            "requires_use_policy": True,
            "notes": "Governing-body approval, by ordinance at a regular public meeting, of a military equipment use "
            "policy before requesting or accepting funds for, or acquiring, military equipment (§ 7071); an annual "
            "military equipment report (§ 7072). Covers the listed equipment only (§ 7070), of the tracker's "
            "technologies the unmanned aerial and ground vehicles (§ 7070(c)(1)); an editor adds others it covers "
            "in the admin.",
        },
        # Technologies (by slug) the law covers; a law without any covers every surveillance technology.
        ["drones"],
    ),
]
