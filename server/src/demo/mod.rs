//! Demo data for `serve --demo`: two realistic customers with locations in Berlin,
//! Hamburg, Munich, Dubai and Abu Dhabi, their contacts and portal logins, and work
//! in every state. Seeded through the same record operations the API uses, so the
//! timeline and audit log are consistent. Only an empty database is seeded.

mod files;

use std::collections::HashMap;

use chrono::{Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use portal_types::{RequestKind, RequestStatus};
use serde_json::json;

use crate::domain::lifecycle::{AppointmentStatus, FollowUpStatus, TargetStatus};
use crate::records::appointments::{self, AppointmentPatch, NewAppointment};
use crate::records::attachments::{self, OwnerKind, Upload, Uploader};
use crate::records::audit::Actor;
use crate::records::contacts::{self, NewContact};
use crate::records::customers::{self, NewCustomer};
use crate::records::follow_ups::{self, FollowUpPatch, NewFollowUp};
use crate::records::internal::{self, MappingWarning, Performance, WebhookDelivery};
use crate::records::locations::{self, Location, NewLocation};
use crate::records::messages::{self, Author, Visibility};
use crate::records::portal_access::{self, Coverage, NewPortalUser};
use crate::records::reports::{self, NewReport, Publication};
use crate::records::requests::{self, NewRequest, RequestDecision, TimeWindow};
use crate::records::staff::{self, NewStaff, Role};
use crate::records::targets::{self, NewTarget, TargetPatch};
use crate::records::time::Timestamp;
use crate::state::AppState;
use crate::storage::blobs::StagedFile;
use crate::storage::WriteTx;

pub const STAFF_EMAIL: &str = "admin@ordinavo.example";
pub const STAFF_PASSWORD: &str = "ordinavo-demo-2026";
pub const PORTAL_PASSWORD: &str = "portal-demo-2026";

/// Seeds the demo into an empty database. Returns false (and changes nothing) when
/// the database already holds customers.
pub async fn seed(state: &AppState) -> anyhow::Result<bool> {
    let (customers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(&state.db.pool).await?;
    if customers > 0 {
        return Ok(false);
    }
    staff::create(
        &state.db,
        NewStaff { email: STAFF_EMAIL, name: "Dana Richter", role: Role::Admin, password: STAFF_PASSWORD },
    )
    .await
    .map_err(|err| anyhow::anyhow!("creating the demo staff user: {err}"))?;
    staff::create(
        &state.db,
        NewStaff {
            email: "dispatch@ordinavo.example",
            name: "Yusuf Haddad",
            role: Role::Dispatcher,
            password: STAFF_PASSWORD,
        },
    )
    .await
    .map_err(|err| anyhow::anyhow!("creating the demo dispatcher: {err}"))?;
    // Staged before the transaction: the database store writes its chunks in transactions of their own.
    let mut staged = HashMap::new();
    for (name, bytes) in files::all() {
        staged.insert(name, StagedFile::from_bytes(&state.blobs, bytes).await?);
    }
    let mut tx = state.db.begin_write().await?;
    Seeder { tx: &mut tx, files: staged }.run().await.map_err(|err| anyhow::anyhow!("seeding demo data: {err:?}"))?;
    tx.commit().await?;
    Ok(true)
}

struct Seeder<'a> {
    tx: &'a mut WriteTx,
    /// The demo attachments by file name, already in the blob store.
    files: HashMap<&'static str, StagedFile>,
}

const SYSTEM: Actor = Actor::System;

/// `days` from today at `hh:mm` local time of `location`, as a timestamp.
fn local(location: &Location, days: i64, hh: u32, mm: u32) -> Timestamp {
    let tz: Tz = location.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let date = if days >= 0 {
        today.checked_add_days(Days::new(days as u64))
    } else {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(today);
    let naive = date.and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap_or_default());
    let instant = tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_else(Utc::now);
    Timestamp::from(instant)
}

fn date(location: &Location, days: i64) -> String {
    local(location, days, 12, 0)
        .to_utc()
        .with_timezone(&location.time_zone.parse::<Tz>().unwrap_or(chrono_tz::UTC))
        .format("%Y-%m-%d")
        .to_string()
}

impl Seeder<'_> {
    async fn run(&mut self) -> Result<(), crate::error::AppError> {
        let northwind = customers::create(
            self.tx,
            &SYSTEM,
            NewCustomer {
                name: "Northwind Properties".into(),
                segment: "Facility management".into(),
                external_ref: Some("NW-1001".into()),
            },
        )
        .await?;
        let contoso = customers::create(
            self.tx,
            &SYSTEM,
            NewCustomer {
                name: "Contoso Retail".into(),
                segment: "Retail branches".into(),
                external_ref: Some("CR-2040".into()),
            },
        )
        .await?;
        let berlin = self
            .location(
                &northwind.id,
                "Northwind HQ Berlin",
                "Friedrichstraße 120",
                "10117",
                "Berlin",
                "DE",
                "Europe/Berlin",
            )
            .await?;
        let hamburg = self
            .location(
                &northwind.id,
                "Northwind Logistics Hub Hamburg",
                "Am Sandtorkai 50",
                "20457",
                "Hamburg",
                "DE",
                "Europe/Berlin",
            )
            .await?;
        let marina = self
            .location(
                &northwind.id,
                "برج نورثويند — دبي مارينا",
                "شارع المرسى، دبي مارينا",
                "",
                "دبي",
                "AE",
                "Asia/Dubai",
            )
            .await?;
        let jebel_ali = self
            .location(
                &northwind.id,
                "Northwind Warehouse Jebel Ali",
                "Plot S30102, Jebel Ali Free Zone",
                "",
                "Dubai",
                "AE",
                "Asia/Dubai",
            )
            .await?;
        let munich = self
            .location(
                &contoso.id,
                "Contoso Store Munich Marienplatz",
                "Marienplatz 8",
                "80331",
                "München",
                "DE",
                "Europe/Berlin",
            )
            .await?;
        let abu_dhabi = self
            .location(
                &contoso.id,
                "Contoso Store Abu Dhabi Mall",
                "Abu Dhabi Mall, Level 1, Tourist Club Area",
                "",
                "Abu Dhabi",
                "AE",
                "Asia/Dubai",
            )
            .await?;

        let hannah = self
            .contact(
                &northwind.id,
                "Hannah Becker",
                "facilities@northwind.example",
                "+49 30 5550 1200",
                "Head of Facilities",
            )
            .await?;
        let omar = self
            .contact(
                &northwind.id,
                "عمر المنصوري (Omar Al-Mansouri)",
                "site.manager@northwind.example",
                "+971 4 555 0147",
                "Site manager, Dubai Marina",
            )
            .await?;
        self.contact(
            &northwind.id,
            "Jonas Weber",
            "j.weber@northwind.example",
            "+49 40 5550 8800",
            "Warehouse lead Hamburg",
        )
        .await?;
        let lena = self
            .contact(&contoso.id, "Lena Vogel", "ops@contoso.example", "+49 89 5550 3300", "Store operations")
            .await?;
        self.contact(
            &contoso.id,
            "فاطمة الزهراء (Fatima Al-Zahra)",
            "abudhabi.store@contoso.example",
            "+971 2 555 0199",
            "Store manager",
        )
        .await?;

        let hannah_user = self.portal_user(&hannah.id, "facilities@northwind.example", "Hannah Becker", "en").await?;
        portal_access::add_grant(self.tx, &hannah_user, &northwind.id, Coverage::WholeCustomer, true).await?;
        // Hannah manages her colleagues' portal access herself.
        portal_access::set_customer_admin(self.tx, &Actor::System, &hannah_user, true).await?;
        let omar_user = self.portal_user(&omar.id, "site.manager@northwind.example", "عمر المنصوري", "ar").await?;
        portal_access::add_grant(self.tx, &omar_user, &northwind.id, Coverage::Locations(&[&marina.id]), true).await?;
        let lena_user = self.portal_user(&lena.id, "ops@contoso.example", "Lena Vogel", "en").await?;
        portal_access::add_grant(self.tx, &lena_user, &contoso.id, Coverage::WholeCustomer, true).await?;

        // Requests in every status.
        let submitted = self
            .request(&hannah_user, &hamburg, RequestKind::Maintenance, "Loading dock door 3 sticks halfway",
                "The sectional door at dock 3 stops at about half height since Monday. Forklift traffic is redirected to dock 4.",
                Some((2, 8, 12)))
            .await?;
        let _ = submitted;
        let in_review = self
            .request(&omar_user, &marina, RequestKind::Service, "تسرب مياه في موقف السيارات B2",
                "Water is dripping from the ceiling near parking bay B2-41 after the cooling tower maintenance. Please inspect.",
                Some((1, 9, 13)))
            .await?;
        self.decide(&in_review, RequestStatus::InReview, None).await?;
        // A conversation on it, with a note the customer never sees.
        self.message(
            &in_review,
            Author::Staff { visibility: Visibility::Internal },
            "Probably the condensate line of the cooling tower. Check the warranty with the tower contractor first.",
        )
        .await?;
        self.message(
            &in_review,
            Author::Staff { visibility: Visibility::Customer },
            "Thank you. Our technician can look at bay B2-41 tomorrow at 9:00. Is the car park open then?",
        )
        .await?;
        let from_omar = Author::Contact { user_id: &omar_user, idempotency_key: None };
        self.message(&in_review, from_omar, "نعم، موقف السيارات مفتوح. سيرافقه الأمن إلى الموقع.").await?;
        let accepted = self
            .request(&hannah_user, &berlin, RequestKind::Maintenance, "Annual fire damper inspection, floors 3–6",
                "Our annual inspection of the fire dampers is due by the end of next month. Floors 3 to 6, about 48 dampers.",
                None)
            .await?;
        self.decide(&accepted, RequestStatus::Accepted, None).await?;
        let planned = self
            .request(
                &lena_user,
                &munich,
                RequestKind::Service,
                "Air conditioning too weak in sales area",
                "Since the warm days the sales floor reaches 27 °C in the afternoon. Customers are complaining.",
                Some((1, 8, 11)),
            )
            .await?;
        self.decide(&planned, RequestStatus::Accepted, None).await?;
        let rejected = self
            .request(
                &lena_user,
                &abu_dhabi,
                RequestKind::Support,
                "Replace shop window graphics",
                "We would like new window graphics for the autumn campaign.",
                None,
            )
            .await?;
        self.decide(&rejected, RequestStatus::Rejected, Some("Window graphics are outside our maintenance contract. Your marketing agency can arrange this directly.")).await?;
        let cancelled = self
            .request(
                &omar_user,
                &marina,
                RequestKind::Appointment,
                "Lobby access control check",
                "Please check the turnstiles in the lobby.",
                None,
            )
            .await?;
        self.decide(&cancelled, RequestStatus::Cancelled, None).await?;

        // Work: a converted request, recurring maintenance and a repair with a follow-up.
        let cooling = self
            .target(
                &munich,
                Some(&lena.id),
                Some(&planned),
                "HVAC capacity check sales floor",
                "Customer reports 27 °C. Suspect refrigerant loss on split unit 2; bring leak detector.",
                72.5,
                "on completion",
                "Marco Rossi",
            )
            .await?;
        let hvac_visit = self.appointment(&cooling.id, &munich, 0, 14, 0, 16, 0, true).await?;
        let _ = hvac_visit;

        let sprinkler = self
            .target(
                &berlin,
                Some(&hannah.id),
                None,
                "Quarterly sprinkler system inspection",
                "Contract line 4.2. Pump room key at reception desk. Last quarter: pressure switch replaced.",
                64.0,
                "quarterly flat fee",
                "Katrin Schulz",
            )
            .await?;
        let past_visit = self.appointment(&sprinkler.id, &berlin, -6, 9, 0, 12, 0, true).await?;
        self.complete(&past_visit).await?;
        let sprinkler_report = self
            .report(&sprinkler.id, Some(&past_visit), &berlin, -6, "Sprinkler Q4 inspection — pump room",
                "All 212 heads inspected. Jockey pump cycling too often: pressure drop on riser 2. Valve V2-7 gasket worn.",
                "Bill as contract visit. Gasket part no. 44-1902 ordered from Hansa Technik, margin 18%.")
            .await?;
        reports::approve(self.tx, &SYSTEM, &sprinkler_report).await?;
        reports::publish(self.tx, &SYSTEM, &sprinkler_report, Publication {
            portal_title: "Sprinkler inspection, 4th quarter".into(),
            portal_summary: "All 212 sprinkler heads were inspected and are in good order. We found a worn gasket on a valve of riser 2, which causes a small pressure loss.".into(),
            portal_message: "We will replace the gasket on a short follow-up visit; the system remains fully operational until then.".into(),
        }).await?;
        self.attach(OwnerKind::Report, &sprinkler_report, "Inspection protocol Q4.pdf", "application/pdf", true)
            .await?;
        self.attach(OwnerKind::Report, &sprinkler_report, "riser-2-valve.png", "image/png", true).await?;
        self.attach(OwnerKind::Report, &sprinkler_report, "Parts quote Hansa Technik.pdf", "application/pdf", false)
            .await?;
        let gasket_visit = self.appointment(&sprinkler.id, &berlin, 3, 8, 0, 10, 0, true).await?;
        let follow_up = follow_ups::create(
            self.tx,
            &SYSTEM,
            NewFollowUp {
                target_id: sprinkler.id.clone(),
                origin_report_id: Some(sprinkler_report.clone()),
                description: "Replace the worn gasket on valve V2-7 of riser 2.".into(),
            },
        )
        .await?;
        follow_ups::update(
            self.tx,
            &SYSTEM,
            &follow_up.id,
            FollowUpPatch {
                status: Some(FollowUpStatus::Planned),
                planned_appointment_id: Some(gasket_visit),
                ..FollowUpPatch::default()
            },
        )
        .await?;

        let chiller = self
            .target(
                &marina,
                Some(&omar.id),
                None,
                "Chiller plant quarterly service",
                "Chiller 2 compressor vibration trending up (4.1 mm/s). Watch bearing; escalate if > 4.5.",
                88.0,
                "per visit",
                "Rashid Khan",
            )
            .await?;
        let chiller_visit = self.appointment(&chiller.id, &marina, -2, 7, 30, 11, 0, true).await?;
        self.complete(&chiller_visit).await?;
        let chiller_report = self
            .report(&chiller.id, Some(&chiller_visit), &marina, -2, "Chiller 1+2 service, vibration on C2",
                "Filters cleaned, refrigerant levels ok. Chiller 2 compressor vibration 4.1 mm/s, needs bearing check within 4 weeks.",
                "Technician 45 min late due to access badge issue.")
            .await?;
        reports::approve(self.tx, &SYSTEM, &chiller_report).await?;
        reports::publish(self.tx, &SYSTEM, &chiller_report, Publication {
            portal_title: "صيانة المبردات الفصلية — Quarterly chiller service".into(),
            portal_summary: "Both chillers were serviced: filters cleaned and refrigerant levels checked. Chiller 2 needs a bearing inspection within four weeks.".into(),
            portal_message: "تم تنظيف الفلاتر وفحص مستويات غاز التبريد. سنتواصل معكم لتحديد موعد فحص محمل المبرد رقم 2.".into(),
        }).await?;
        self.attach(OwnerKind::Report, &chiller_report, "Chiller service checklist.pdf", "application/pdf", true)
            .await?;
        follow_ups::create(
            self.tx,
            &SYSTEM,
            NewFollowUp {
                target_id: chiller.id.clone(),
                origin_report_id: Some(chiller_report),
                description: "Inspect the compressor bearing of chiller 2 within four weeks.".into(),
            },
        )
        .await?;
        self.appointment(&chiller.id, &marina, 9, 8, 0, 12, 0, false).await?;

        let dock = self
            .target(
                &jebel_ali,
                None,
                None,
                "Dock leveller hydraulic service",
                "Annual service of 6 dock levellers. Hydraulic oil in van.",
                41.0,
                "annual contract",
                "Rashid Khan",
            )
            .await?;
        let today_visit = self.appointment(&dock.id, &jebel_ali, 0, 9, 0, 13, 0, true).await?;
        appointments::update(
            self.tx,
            &SYSTEM,
            &today_visit,
            AppointmentPatch { status: Some(AppointmentStatus::InProgress), ..AppointmentPatch::default() },
        )
        .await?;
        let dock_report = self
            .report(
                &dock.id,
                Some(&today_visit),
                &jebel_ali,
                0,
                "Dock leveller service (in progress)",
                "Levellers 1–4 serviced. 5 and 6 pending.",
                "",
            )
            .await?;
        reports::approve(self.tx, &SYSTEM, &dock_report).await?;

        let lighting = self
            .target(
                &abu_dhabi,
                None,
                None,
                "Emergency lighting test",
                "Monthly function test, 3 h duration test due.",
                55.0,
                "monthly flat fee",
                "Aisha Noor",
            )
            .await?;
        let last_test = self.appointment(&lighting.id, &abu_dhabi, -27, 7, 0, 10, 0, true).await?;
        self.complete(&last_test).await?;
        let lighting_report = self
            .report(
                &lighting.id,
                Some(&last_test),
                &abu_dhabi,
                -27,
                "Emergency lighting monthly test",
                "All 64 luminaires passed the function test. Battery of exit sign E-12 weak.",
                "Replace battery under warranty claim W-5521 with the supplier.",
            )
            .await?;
        reports::approve(self.tx, &SYSTEM, &lighting_report).await?;
        reports::publish(
            self.tx,
            &SYSTEM,
            &lighting_report,
            Publication {
                portal_title: "Emergency lighting test".into(),
                portal_summary: "All 64 emergency luminaires passed the monthly function test.".into(),
                portal_message: "The battery of one exit sign is weak and will be replaced at the next visit.".into(),
            },
        )
        .await?;
        self.attach(OwnerKind::Report, &lighting_report, "Emergency lighting log.pdf", "application/pdf", true).await?;
        let upcoming = self.appointment(&lighting.id, &abu_dhabi, 1, 7, 0, 10, 0, true).await?;
        appointments::update(
            self.tx,
            &SYSTEM,
            &upcoming,
            AppointmentPatch {
                starts_at: Some(local(&abu_dhabi, 1, 8, 0)),
                ends_at: Some(local(&abu_dhabi, 1, 11, 0)),
                ..AppointmentPatch::default()
            },
        )
        .await?;
        let draft_target = self
            .target(
                &hamburg,
                None,
                None,
                "Roof drain cleaning before winter",
                "Needs lift platform; coordinate with warehouse lead.",
                33.0,
                "on completion",
                "Jonas Meyer",
            )
            .await?;
        let cancelled_visit = self.appointment(&draft_target.id, &hamburg, 4, 10, 0, 12, 0, true).await?;
        appointments::update(
            self.tx,
            &SYSTEM,
            &cancelled_visit,
            AppointmentPatch { status: Some(AppointmentStatus::Cancelled), ..AppointmentPatch::default() },
        )
        .await?;
        targets::update(
            self.tx,
            &SYSTEM,
            &draft_target.id,
            TargetPatch { status: Some(TargetStatus::OnHold), ..TargetPatch::default() },
        )
        .await?;
        self.report(
            &draft_target.id,
            None,
            &hamburg,
            -20,
            "Roof survey notes",
            "Drains 3 and 7 partly blocked with leaves.",
            "Quote pending",
        )
        .await?;
        self.attach(OwnerKind::Target, &draft_target.id, "roof-drain-7.png", "image/png", false).await?;

        self.internal_records(&northwind.id, &marina.id).await?;
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one demo location per call reads best as one line of data")]
    async fn location(
        &mut self,
        customer_id: &str,
        name: &str,
        address: &str,
        postal: &str,
        city: &str,
        country: &str,
        tz: &str,
    ) -> Result<Location, crate::error::AppError> {
        locations::create(
            self.tx,
            &SYSTEM,
            NewLocation {
                customer_id: customer_id.into(),
                name: name.into(),
                address_line: address.into(),
                postal_code: postal.into(),
                city: city.into(),
                country_code: country.into(),
                time_zone: tz.into(),
                external_ref: None,
            },
        )
        .await
    }

    async fn contact(
        &mut self,
        customer_id: &str,
        name: &str,
        email: &str,
        phone: &str,
        title: &str,
    ) -> Result<contacts::Contact, crate::error::AppError> {
        contacts::create(
            self.tx,
            &SYSTEM,
            NewContact {
                customer_id: customer_id.into(),
                name: name.into(),
                email: email.into(),
                phone: phone.into(),
                job_title: title.into(),
            },
        )
        .await
    }

    async fn portal_user(
        &mut self,
        contact_id: &str,
        email: &str,
        name: &str,
        language: &str,
    ) -> Result<String, crate::error::AppError> {
        Ok(portal_access::create_user(
            self.tx,
            NewPortalUser { contact_id, email, display_name: name, password: PORTAL_PASSWORD, language },
        )
        .await?)
    }

    /// A request with an optional preferred window `(days from today, from hour, to hour)`.
    async fn request(
        &mut self,
        user: &str,
        location: &Location,
        kind: RequestKind,
        title: &str,
        description: &str,
        window: Option<(i64, u32, u32)>,
    ) -> Result<String, crate::error::AppError> {
        let preferred_windows = window
            .map(|(days, from, to)| {
                vec![TimeWindow { starts_at: local(location, days, from, 0), ends_at: local(location, days, to, 0) }]
            })
            .unwrap_or_default();
        let actor = Actor::PortalUser { id: user.into(), label: user.into() };
        let (request, _) = requests::submit(
            self.tx,
            &actor,
            Some(user),
            None,
            NewRequest {
                location_id: location.id.clone(),
                kind,
                title: title.into(),
                description: description.into(),
                preferred_windows,
                idempotency_key: None,
            },
        )
        .await?;
        Ok(request.id)
    }

    /// A message on a request, written by `author` (staff or a contact).
    async fn message(&mut self, request: &str, author: Author<'_>, body: &str) -> Result<(), crate::error::AppError> {
        let actor = match &author {
            Author::Contact { user_id, .. } => {
                Actor::PortalUser { id: user_id.to_string(), label: user_id.to_string() }
            }
            Author::Staff { .. } => SYSTEM,
        };
        messages::post(self.tx, &actor, request, author, body).await?;
        Ok(())
    }

    async fn decide(
        &mut self,
        id: &str,
        status: RequestStatus,
        reason: Option<&str>,
    ) -> Result<(), crate::error::AppError> {
        requests::decide(self.tx, &SYSTEM, id, RequestDecision { status, decision_reason: reason.map(str::to_string) })
            .await?;
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one demo target per call reads best as one line of data")]
    async fn target(
        &mut self,
        location: &Location,
        contact: Option<&str>,
        request: Option<&str>,
        title: &str,
        notes: &str,
        score: f64,
        billing: &str,
        employee: &str,
    ) -> Result<targets::Target, crate::error::AppError> {
        targets::create(
            self.tx,
            &SYSTEM,
            NewTarget {
                location_id: location.id.clone(),
                contact_id: contact.map(str::to_string),
                request_id: request.map(str::to_string),
                title: title.into(),
                internal_notes: notes.into(),
                routing_score: Some(score),
                billing_trigger: Some(billing.into()),
                assigned_employee: Some(employee.into()),
                external_ref: None,
            },
        )
        .await
    }

    #[expect(clippy::too_many_arguments, reason = "day and clock times of one visit")]
    async fn appointment(
        &mut self,
        target_id: &str,
        location: &Location,
        days: i64,
        h1: u32,
        m1: u32,
        h2: u32,
        m2: u32,
        shared: bool,
    ) -> Result<String, crate::error::AppError> {
        let starts_at = local(location, days, h1, m1);
        let appointment = appointments::create(
            self.tx,
            &SYSTEM,
            NewAppointment {
                target_id: target_id.into(),
                starts_at,
                ends_at: local(location, days, h2, m2),
                arrival_window_start: Some(starts_at),
                arrival_window_end: Some(Timestamp(starts_at.0 + 3_600_000)),
                shared_with_portal: shared,
            },
        )
        .await?;
        Ok(appointment.id)
    }

    async fn complete(&mut self, appointment_id: &str) -> Result<(), crate::error::AppError> {
        for status in [AppointmentStatus::InProgress, AppointmentStatus::Completed] {
            appointments::update(
                self.tx,
                &SYSTEM,
                appointment_id,
                AppointmentPatch { status: Some(status), ..AppointmentPatch::default() },
            )
            .await?;
        }
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "the internal texts of one report")]
    async fn report(
        &mut self,
        target_id: &str,
        appointment_id: Option<&str>,
        location: &Location,
        days: i64,
        title: &str,
        body: &str,
        notes: &str,
    ) -> Result<String, crate::error::AppError> {
        let report = reports::create(
            self.tx,
            &SYSTEM,
            NewReport {
                target_id: target_id.into(),
                appointment_id: appointment_id.map(str::to_string),
                visit_date: date(location, days),
                internal_title: title.into(),
                internal_body: body.into(),
                internal_notes: notes.into(),
            },
        )
        .await?;
        Ok(report.id)
    }

    async fn attach(
        &mut self,
        owner_kind: OwnerKind,
        owner_id: &str,
        name: &str,
        content_type: &str,
        released: bool,
    ) -> Result<(), crate::error::AppError> {
        let file = self
            .files
            .remove(name)
            .ok_or_else(|| crate::error::AppError::internal(anyhow::anyhow!("no demo file {name}")))?;
        let upload = Upload {
            owner_kind,
            owner_id: owner_id.into(),
            file_name: name.into(),
            content_type: content_type.into(),
            file,
        };
        let (attachment, _) = attachments::create(self.tx, &SYSTEM, upload, Uploader::Staff).await?;
        if released {
            attachments::set_released(self.tx, &SYSTEM, &attachment.id, true).await?;
        }
        Ok(())
    }

    async fn internal_records(&mut self, customer_id: &str, location_id: &str) -> Result<(), crate::error::AppError> {
        let payload = json!({ "event": "appointment.scheduled", "target": "internal" }).to_string();
        internal::record_webhook_delivery(
            self.tx,
            WebhookDelivery {
                endpoint_url: "https://erp.northwind.example/hooks/ordinavo",
                event_kind: "appointment.scheduled",
                payload: &payload,
                response_status: Some(200),
                attempts: 1,
                last_error: None,
                delivered: true,
            },
        )
        .await?;
        internal::record_webhook_delivery(
            self.tx,
            WebhookDelivery {
                endpoint_url: "https://erp.northwind.example/hooks/ordinavo",
                event_kind: "report.published",
                payload: &payload,
                response_status: Some(503),
                attempts: 3,
                last_error: Some("Service Unavailable"),
                delivered: false,
            },
        )
        .await?;
        internal::record_mapping_warning(
            self.tx,
            MappingWarning {
                customer_id: Some(customer_id),
                location_id: Some(location_id),
                source_system: "Ordinavo Connect",
                external_ref: "SAP-PLANT-7731",
                message: "Cost centre 7731 has no matching location; visits were booked on the customer level.",
            },
        )
        .await?;
        for (reference, name, visits, fix, minutes, rating) in [
            ("EMP-014", "Katrin Schulz", 46, 0.91, 84, Some(4.8)),
            ("EMP-027", "Rashid Khan", 39, 0.84, 102, Some(4.5)),
            ("EMP-031", "Marco Rossi", 51, 0.78, 77, None),
        ] {
            internal::record_performance(
                self.tx,
                Performance {
                    employee_ref: reference,
                    employee_name: name,
                    period_start: "2026-10-01",
                    period_end: "2026-10-31",
                    visits_completed: visits,
                    first_time_fix_rate: fix,
                    average_on_site_minutes: minutes,
                    customer_rating: rating,
                },
            )
            .await?;
        }
        Ok(())
    }
}
