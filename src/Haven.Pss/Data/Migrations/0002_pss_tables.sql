-- PSS: support profiles, versioned intake forms and submissions, journal entries and admin notes.
-- Sensitive values are bytea: AES-256-GCM envelopes written by the platform's field encryption (never plaintext).
-- user_id / candidate_id / author_id are ids of platform.users (no foreign key across schemas: users are deactivated, never deleted).

CREATE TABLE pss.profiles (
    user_id uuid NOT NULL,
    date_of_birth bytea NULL,
    phone_number bytea NULL,
    address bytea NULL,
    id_number bytea NULL,
    id_number_blind_index bytea NULL,
    diagnosis bytea NULL,
    medications bytea NULL,
    allergies bytea NULL,
    doctor_name bytea NULL,
    doctor_phone bytea NULL,
    medical_notes bytea NULL,
    emergency_contact_name bytea NULL,
    emergency_contact_phone bytea NULL,
    emergency_contact_relationship bytea NULL,
    intake_completed_at timestamp with time zone NULL,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_profiles PRIMARY KEY (user_id)
);
CREATE INDEX ix_profiles_id_number_blind_index ON pss.profiles (id_number_blind_index);

CREATE TABLE pss.intake_forms (
    id uuid NOT NULL,
    tenant_id uuid NULL,
    version integer NOT NULL,
    title character varying(200) NOT NULL,
    definition jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    created_by uuid NULL,
    CONSTRAINT pk_intake_forms PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_intake_forms_tenant_id_version ON pss.intake_forms (tenant_id, version) NULLS NOT DISTINCT;

CREATE TABLE pss.intake_submissions (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    form_id uuid NOT NULL,
    responses bytea NOT NULL,
    submitted_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_intake_submissions PRIMARY KEY (id),
    CONSTRAINT fk_intake_submissions_intake_forms_form_id FOREIGN KEY (form_id) REFERENCES pss.intake_forms (id) ON DELETE RESTRICT
);
CREATE INDEX ix_intake_submissions_form_id ON pss.intake_submissions (form_id);
CREATE INDEX ix_intake_submissions_user_id_submitted_at ON pss.intake_submissions (user_id, submitted_at);

CREATE TABLE pss.journal_entries (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    entry_date date NOT NULL,
    title bytea NOT NULL,
    content bytea NOT NULL,
    mood character varying(16) NOT NULL,
    energy_level integer NOT NULL,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_journal_entries PRIMARY KEY (id),
    CONSTRAINT ck_journal_entries_mood CHECK (mood IN ('very_low', 'low', 'okay', 'good', 'very_good')),
    CONSTRAINT ck_journal_entries_energy_level CHECK (energy_level BETWEEN 1 AND 10)
);
CREATE INDEX ix_journal_entries_user_id_entry_date ON pss.journal_entries (user_id, entry_date);

CREATE TABLE pss.admin_notes (
    id uuid NOT NULL,
    candidate_id uuid NOT NULL,
    author_id uuid NOT NULL,
    note_text bytea NOT NULL,
    tags text[] NOT NULL,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_admin_notes PRIMARY KEY (id)
);
CREATE INDEX ix_admin_notes_candidate_id_created_at ON pss.admin_notes (candidate_id, created_at);

-- The default intake form (version 1 for every programme until it publishes its own). Fields with maps_to copy their
-- answer into the candidate's profile on submission.
INSERT INTO pss.intake_forms (id, tenant_id, version, title, definition, created_at, created_by)
VALUES ('0190d6a0-0000-7000-8000-000000000001', NULL, 1, 'Intake form', $json$
{
  "title": "Intake form",
  "introduction": "Tell us about yourself and the support you need. Only you and your programme's support staff can see your answers. Questions marked required must be answered; you can change your profile later.",
  "fields": [
    {"key": "preferred_name", "label": "What would you like us to call you?", "type": "text", "required": false, "max_length": 100, "section": "About you"},
    {"key": "date_of_birth", "label": "Date of birth", "type": "date", "required": true, "maps_to": "date_of_birth", "section": "About you"},
    {"key": "phone_number", "label": "Phone number", "type": "text", "required": true, "max_length": 20, "maps_to": "phone_number", "section": "About you"},
    {"key": "address", "label": "Home address", "type": "textarea", "required": false, "max_length": 500, "maps_to": "address", "section": "About you"},
    {"key": "id_number", "label": "ID number", "type": "text", "required": false, "max_length": 20, "help": "Your national ID or passport number.", "maps_to": "id_number", "section": "About you"},
    {"key": "disability_types", "label": "Which of these describe your disability?", "type": "multi_choice", "required": true, "section": "Your health",
     "options": [
       {"value": "physical", "label": "Physical or mobility"},
       {"value": "visual", "label": "Visual"},
       {"value": "hearing", "label": "Hearing"},
       {"value": "learning", "label": "Learning (for example dyslexia)"},
       {"value": "neurodevelopmental", "label": "Neurodevelopmental (for example autism or ADHD)"},
       {"value": "mental_health", "label": "Mental health"},
       {"value": "chronic_illness", "label": "Chronic illness"},
       {"value": "other", "label": "Something else"},
       {"value": "prefer_not_to_say", "label": "I prefer not to say"}
     ]},
    {"key": "diagnosis", "label": "Diagnosis", "type": "textarea", "required": false, "max_length": 2000, "help": "Only if you want to share it.", "maps_to": "diagnosis", "section": "Your health"},
    {"key": "medications", "label": "Medications you take", "type": "textarea", "required": false, "max_length": 2000, "maps_to": "medications", "section": "Your health"},
    {"key": "allergies", "label": "Allergies", "type": "textarea", "required": false, "max_length": 1000, "maps_to": "allergies", "section": "Your health"},
    {"key": "doctor_name", "label": "Your doctor's name", "type": "text", "required": false, "max_length": 200, "maps_to": "doctor_name", "section": "Your health"},
    {"key": "doctor_phone", "label": "Your doctor's phone number", "type": "text", "required": false, "max_length": 20, "maps_to": "doctor_phone", "section": "Your health"},
    {"key": "support_needs", "label": "Which support would help you?", "type": "multi_choice", "required": false, "section": "Support",
     "options": [
       {"value": "extra_time", "label": "Extra time for tasks and assessments"},
       {"value": "assistive_technology", "label": "Assistive technology (screen reader, magnifier, speech to text)"},
       {"value": "accessible_venue", "label": "Step-free, accessible venue"},
       {"value": "sign_language", "label": "Sign language interpreter"},
       {"value": "note_taker", "label": "A note taker"},
       {"value": "flexible_schedule", "label": "Flexible hours and breaks"},
       {"value": "quiet_space", "label": "A quiet space"},
       {"value": "other", "label": "Something else"}
     ]},
    {"key": "support_details", "label": "Anything else we should know to support you?", "type": "textarea", "required": false, "max_length": 2000, "section": "Support"},
    {"key": "emergency_contact_name", "label": "Emergency contact's name", "type": "text", "required": true, "max_length": 200, "maps_to": "emergency_contact_name", "section": "Emergency contact"},
    {"key": "emergency_contact_phone", "label": "Emergency contact's phone number", "type": "text", "required": true, "max_length": 20, "maps_to": "emergency_contact_phone", "section": "Emergency contact"},
    {"key": "emergency_contact_relationship", "label": "How do you know them?", "type": "text", "required": false, "max_length": 100, "help": "For example: parent, partner, friend.", "maps_to": "emergency_contact_relationship", "section": "Emergency contact"},
    {"key": "consent", "label": "I agree that my programme's support staff may see these answers to support me", "type": "boolean", "required": true, "section": "Consent"}
  ]
}
$json$::jsonb, '2026-01-01T00:00:00Z', NULL);
