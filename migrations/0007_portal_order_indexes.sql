-- Indexes that serve every portal list and every sync page in its own order, at the
-- size of a large customer (100,000 appointments for one contact). A scope is read
-- as one index range per granted customer or location (`*_customer_*`, `*_location_*`),
-- so a page never sorts the whole scope. Sync reads by (scope, version, id).

-- Appointments: upcoming and past lists by (starts_at, id); the next visit of a target.
CREATE INDEX appointments_customer_order ON appointments (customer_id, shared_with_portal, starts_at, id);
CREATE INDEX appointments_location_order ON appointments (location_id, shared_with_portal, starts_at, id);
CREATE INDEX appointments_target ON appointments (target_id, starts_at, id);
-- The longest appointment bounds how far back an upcoming list looks for visits still in progress.
CREATE INDEX appointments_length ON appointments ((ends_at - starts_at));
CREATE INDEX appointments_customer_version ON appointments (customer_id, version, id);
CREATE INDEX appointments_location_version ON appointments (location_id, version, id);
DROP INDEX appointments_scope;

-- Open work, newest requests, reports, follow-ups and the timeline by id.
CREATE INDEX targets_customer_order ON targets (customer_id, id);
CREATE INDEX targets_location_order ON targets (location_id, id);
CREATE INDEX targets_customer_version ON targets (customer_id, version, id);
CREATE INDEX targets_location_version ON targets (location_id, version, id);
DROP INDEX targets_scope;

CREATE INDEX requests_submitter_order ON requests (submitted_by, id);
CREATE INDEX requests_customer_version ON requests (customer_id, version, id);
CREATE INDEX requests_location_version ON requests (location_id, version, id);

CREATE INDEX visit_reports_customer_order ON visit_reports (customer_id, status, id);
CREATE INDEX visit_reports_location_order ON visit_reports (location_id, status, id);
CREATE INDEX visit_reports_customer_version ON visit_reports (customer_id, version, id);
CREATE INDEX visit_reports_location_version ON visit_reports (location_id, version, id);
DROP INDEX visit_reports_scope;

CREATE INDEX follow_ups_customer_order ON follow_ups (customer_id, id);
CREATE INDEX follow_ups_location_order ON follow_ups (location_id, id);
CREATE INDEX follow_ups_customer_version ON follow_ups (customer_id, version, id);
CREATE INDEX follow_ups_location_version ON follow_ups (location_id, version, id);
CREATE INDEX follow_ups_origin_report ON follow_ups (origin_report_id);
CREATE INDEX follow_ups_planned_appointment ON follow_ups (planned_appointment_id);
DROP INDEX follow_ups_scope;

CREATE INDEX timeline_events_customer_order ON timeline_events (customer_id, id);
CREATE INDEX timeline_events_location_order ON timeline_events (location_id, id);
CREATE INDEX timeline_events_customer_version ON timeline_events (customer_id, version, id);
CREATE INDEX timeline_events_location_version ON timeline_events (location_id, version, id);
CREATE INDEX timeline_events_subject ON timeline_events (subject_id);
DROP INDEX timeline_events_scope;

CREATE INDEX attachments_report ON attachments (report_id, id);
CREATE INDEX attachments_customer_version ON attachments (customer_id, version, id);
CREATE INDEX attachments_location_version ON attachments (location_id, version, id);
DROP INDEX attachments_scope;

CREATE INDEX locations_customer_version ON locations (customer_id, version, id);

CREATE INDEX sync_tombstones_customer_version ON sync_tombstones (customer_id, kind, version, id);
CREATE INDEX sync_tombstones_location_version ON sync_tombstones (location_id, kind, version, id);
