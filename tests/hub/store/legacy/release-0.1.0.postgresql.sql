-- A store made by gridhub 0.1.0 before migrations (commit 7339498: create_all, no alembic_version),
-- filled with cases (projected case states), trace, dead letters, schedule, users, grants, tokens
-- and audit. pg_dump --inserts of one schema, the schema name and session settings removed.

CREATE TABLE access_grant (
    user_name character varying NOT NULL,
    role character varying NOT NULL,
    granted_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    granted_by character varying NOT NULL
);

CREATE TABLE access_login_failure (
    user_name character varying NOT NULL,
    failures integer NOT NULL,
    window_start timestamp with time zone NOT NULL,
    locked_until timestamp with time zone
);

CREATE TABLE access_token (
    token_id character varying NOT NULL,
    name character varying NOT NULL,
    secret_hash character varying NOT NULL,
    roles character varying NOT NULL,
    personal_data boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    created_by character varying NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone
);

CREATE TABLE access_user (
    name character varying NOT NULL,
    email character varying,
    password_hash character varying NOT NULL,
    personal_data boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    created_by character varying NOT NULL
);

CREATE TABLE access_warning (
    user_name character varying NOT NULL,
    role character varying NOT NULL,
    day character varying NOT NULL,
    mailed_at timestamp with time zone
);

CREATE TABLE aggregation (
    key character varying NOT NULL,
    route character varying NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

CREATE TABLE aggregation_part (
    key character varying NOT NULL,
    part_type character varying NOT NULL,
    message json NOT NULL
);

CREATE TABLE case_key (
    case_id character varying NOT NULL,
    kind character varying NOT NULL,
    value character varying NOT NULL
);

CREATE TABLE cases (
    case_id character varying NOT NULL,
    status character varying NOT NULL,
    flow character varying NOT NULL,
    state json NOT NULL,
    keys json NOT NULL,
    last_message_id character varying,
    updated_at timestamp with time zone NOT NULL,
    version integer NOT NULL
);

CREATE TABLE connector_pause (
    connector character varying NOT NULL,
    paused_at timestamp with time zone NOT NULL,
    paused_by character varying NOT NULL,
    reason character varying NOT NULL
);

CREATE TABLE dead_letter (
    id bigint NOT NULL,
    message_id character varying,
    case_id character varying,
    message_type character varying,
    route character varying,
    connector character varying NOT NULL,
    body bytea NOT NULL,
    headers json NOT NULL,
    attempts integer NOT NULL,
    first_failure_at timestamp with time zone NOT NULL,
    last_failure_at timestamp with time zone NOT NULL,
    exception_type character varying NOT NULL,
    exception_message character varying NOT NULL,
    "where" character varying,
    remote_fault json,
    fingerprint character varying NOT NULL,
    status character varying NOT NULL,
    replay_count integer NOT NULL,
    keys json NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE SEQUENCE dead_letter_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE dead_letter_id_seq OWNED BY dead_letter.id;

CREATE TABLE dead_letter_key (
    dead_letter_id bigint NOT NULL,
    kind character varying NOT NULL,
    value character varying NOT NULL
);

CREATE TABLE delivered (
    destination character varying NOT NULL,
    message_id character varying NOT NULL,
    delivered_at timestamp with time zone NOT NULL
);

CREATE TABLE hub_member (
    namespace character varying NOT NULL,
    worker_id character varying NOT NULL,
    seen_at timestamp with time zone NOT NULL
);

CREATE TABLE ops_audit (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    actor character varying NOT NULL,
    action character varying NOT NULL,
    subject character varying NOT NULL,
    dead_letter_id bigint,
    reason character varying NOT NULL,
    detail json NOT NULL
);

CREATE SEQUENCE ops_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE ops_audit_id_seq OWNED BY ops_audit.id;

CREATE TABLE outbox (
    seq bigint NOT NULL,
    input_id character varying NOT NULL,
    message_id character varying NOT NULL,
    destination character varying NOT NULL,
    body bytea NOT NULL,
    headers json NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE SEQUENCE outbox_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE outbox_seq_seq OWNED BY outbox.seq;

CREATE TABLE scheduled (
    id bigint NOT NULL,
    destination character varying NOT NULL,
    case_id character varying NOT NULL,
    message_id character varying NOT NULL,
    route character varying,
    body bytea NOT NULL,
    headers json NOT NULL,
    attempt integer NOT NULL,
    first_failure_at timestamp with time zone,
    last_error character varying,
    due_at timestamp with time zone
);

CREATE SEQUENCE scheduled_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE scheduled_id_seq OWNED BY scheduled.id;

CREATE TABLE seen (
    consumer character varying NOT NULL,
    message_id character varying NOT NULL,
    seen_at timestamp with time zone NOT NULL
);

CREATE TABLE trace (
    id bigint NOT NULL,
    message_id character varying NOT NULL,
    case_id character varying NOT NULL,
    type character varying NOT NULL,
    hop character varying NOT NULL,
    source character varying NOT NULL,
    target character varying,
    route character varying,
    outcome character varying NOT NULL,
    attempt integer NOT NULL,
    at timestamp with time zone NOT NULL,
    detail character varying,
    keys json NOT NULL
);

CREATE SEQUENCE trace_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE trace_id_seq OWNED BY trace.id;

ALTER TABLE ONLY dead_letter ALTER COLUMN id SET DEFAULT nextval('dead_letter_id_seq'::regclass);

ALTER TABLE ONLY ops_audit ALTER COLUMN id SET DEFAULT nextval('ops_audit_id_seq'::regclass);

ALTER TABLE ONLY outbox ALTER COLUMN seq SET DEFAULT nextval('outbox_seq_seq'::regclass);

ALTER TABLE ONLY scheduled ALTER COLUMN id SET DEFAULT nextval('scheduled_id_seq'::regclass);

ALTER TABLE ONLY trace ALTER COLUMN id SET DEFAULT nextval('trace_id_seq'::regclass);

INSERT INTO access_grant VALUES ('anna', 'operator', '2024-03-14 08:30:00+00', '2025-03-14 08:30:00+00', 'setup');
INSERT INTO access_grant VALUES ('bertil', 'admin', '2024-03-14 08:30:00+00', '2025-03-14 08:30:00+00', 'setup');

INSERT INTO access_login_failure VALUES ('cecilia', 3, '2024-03-14 08:30:00+00', NULL);

INSERT INTO access_token VALUES ('9b461bc4afda6383', 'nis-bridge', '$argon2id$v=19$m=65536,t=3,p=4$LpQoEfVGejjrRCpi/h3B3w$d0/VgyPHCrWvdEMIDJH53arFtyNtgtsFYAWVdPWCBgM', 'viewer', false, '2024-03-14 08:30:00+00', 'setup', '2025-03-14 08:30:00+00', NULL);
INSERT INTO access_token VALUES ('9a9e47b38697d5b3', 'monitor', '$argon2id$v=19$m=65536,t=3,p=4$k4RgNRb9YER43CnOJpbvbw$7KUvA2d9BMURA04B2BMQv5HZjwnLaww87MexbGN5WFk', 'operator,viewer', true, '2024-03-14 08:30:00+00', 'setup', '2025-03-14 08:30:00+00', NULL);

INSERT INTO access_user VALUES ('anna', 'anna@example.se', '$argon2id$v=19$m=65536,t=3,p=4$9poPcW9AO4CkTnSO8A5m6w$Xc73pbYo9ro8i6balrYV+/Zmc53uBijy6zv80BhdVME', false, '2024-03-14 08:30:00+00', 'setup');
INSERT INTO access_user VALUES ('bertil', NULL, '$argon2id$v=19$m=65536,t=3,p=4$sT40McmjWVcyFzwXBR+Apw$Ze54iqWVEWCJ9Bi6b7ttLBVETwpxfTXE/O6iWP5cZ/E', false, '2024-03-14 08:30:00+00', 'setup');

INSERT INTO access_warning VALUES ('anna', 'operator', '2026-11-01', '2024-03-14 08:30:00+00');

INSERT INTO aggregation VALUES ('agg-1', 'workorders', '2024-03-14 09:30:00+00');

INSERT INTO aggregation_part VALUES ('agg-1', 'part-a', '{"a":1}');

INSERT INTO case_key VALUES ('SE-1000', 'gsrn', '735999872604499360');
INSERT INTO case_key VALUES ('SE-1000', 'meter_number', '7350000');
INSERT INTO case_key VALUES ('SE-1001', 'gsrn', '735999324554010770');
INSERT INTO case_key VALUES ('SE-1001', 'meter_number', '7350013');
INSERT INTO case_key VALUES ('SE-1002', 'gsrn', '735999442974511872');
INSERT INTO case_key VALUES ('SE-1002', 'meter_number', '7350026');
INSERT INTO case_key VALUES ('SE-1003', 'gsrn', '735999644522661194');
INSERT INTO case_key VALUES ('SE-1003', 'meter_number', '7350039');
INSERT INTO case_key VALUES ('SE-1004', 'gsrn', '735999055977253672');
INSERT INTO case_key VALUES ('SE-1004', 'meter_number', '7350052');
INSERT INTO case_key VALUES ('SE-1000', 'meter_number', '73500000');
INSERT INTO case_key VALUES ('SE-1000', 'workorder_id', 'AO-SE-1000');
INSERT INTO case_key VALUES ('SE-1001', 'meter_number', '73500001');
INSERT INTO case_key VALUES ('SE-1001', 'workorder_id', 'AO-SE-1001');
INSERT INTO case_key VALUES ('SE-1002', 'meter_number', '73500002');
INSERT INTO case_key VALUES ('SE-1002', 'workorder_id', 'AO-SE-1002');
INSERT INTO case_key VALUES ('SE-1003', 'meter_number', '73500003');
INSERT INTO case_key VALUES ('SE-1003', 'workorder_id', 'AO-SE-1003');
INSERT INTO case_key VALUES ('SE-1004', 'meter_number', '73500004');
INSERT INTO case_key VALUES ('SE-1004', 'workorder_id', 'AO-SE-1004');

INSERT INTO cases VALUES ('SE-1000', 'submitted', 'with_prenotification', '{"case_id":"SE-1000","status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999872604499360"],"meter_number":["7350000"]},"last_message_id":"83f14a6c-23c0-58a2-bba5-c8adb14928d3","updated_at":"2023-02-08T08:30:00Z","case":{"case_id":"SE-1000","reference":"MEE9541","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359993217913","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"553180-5157","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999872604499360","meter_number":"7350000","technical_number":"T-40100","customer_number":"880000","substation":"T114","purchase_order_number":"PO-5000","address":{"street":"Storgatan 1","postcode":"25221","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Storgatan 1","postcode":"25221","town":"Helsingborg","country":"SE"},"personal_number":"920302-0384","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Storgatan 1","postcode":"25221","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"552077-7870","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}', '{"gsrn":["735999872604499360"],"meter_number":["7350000"]}', '83f14a6c-23c0-58a2-bba5-c8adb14928d3', '2023-02-08 08:30:00+00', 1);
INSERT INTO cases VALUES ('SE-1001', 'archived', 'with_prenotification', '{"case_id":"SE-1001","status":"archived","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999324554010770"],"meter_number":["7350013"]},"last_message_id":"0e8a5834-472c-5224-9b63-03f1e94a60ac","updated_at":"2023-05-09T08:30:00Z","case":{"case_id":"SE-1001","reference":"MEE9542","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359994282804","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"552040-1638","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999324554010770","meter_number":"7350013","technical_number":"T-40101","customer_number":"880001","substation":"T115","purchase_order_number":"PO-5001","address":{"street":"Drottninggatan 2","postcode":"25222","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Drottninggatan 2","postcode":"25222","town":"Helsingborg","country":"SE"},"personal_number":"050822-3484","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Drottninggatan 2","postcode":"25222","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"556196-1607","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}', '{"gsrn":["735999324554010770"],"meter_number":["7350013"]}', '0e8a5834-472c-5224-9b63-03f1e94a60ac', '2023-05-09 08:30:00+00', 1);
INSERT INTO cases VALUES ('SE-1002', 'cancelled', 'with_prenotification', '{"case_id":"SE-1002","status":"cancelled","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999442974511872"],"meter_number":["7350026"]},"last_message_id":"38606fe0-e4cb-5b4d-aabf-7f11b83f4e9a","updated_at":"2023-08-07T08:30:00Z","case":{"case_id":"SE-1002","reference":"MEE9543","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359995922983","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"557110-5823","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999442974511872","meter_number":"7350026","technical_number":"T-40102","customer_number":"880002","substation":"T116","purchase_order_number":"PO-5002","address":{"street":"Rönnvägen 3","postcode":"25223","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Rönnvägen 3","postcode":"25223","town":"Helsingborg","country":"SE"},"personal_number":"520120-4541","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Rönnvägen 3","postcode":"25223","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"559928-2455","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}', '{"gsrn":["735999442974511872"],"meter_number":["7350026"]}', '38606fe0-e4cb-5b4d-aabf-7f11b83f4e9a', '2023-08-07 08:30:00+00', 1);
INSERT INTO cases VALUES ('SE-1003', 'approved', 'with_prenotification', '{"case_id":"SE-1003","status":"approved","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999644522661194"],"meter_number":["7350039"]},"last_message_id":"0d98a211-3bd1-5961-b588-7f7a3a8c4b8c","updated_at":"2023-11-05T08:30:00Z","case":{"case_id":"SE-1003","reference":"MEE9544","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359996212168","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"557097-1902","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999644522661194","meter_number":"7350039","technical_number":"T-40103","customer_number":"880003","substation":"T117","purchase_order_number":"PO-5003","address":{"street":"Kullagatan 4","postcode":"25224","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Kullagatan 4","postcode":"25224","town":"Helsingborg","country":"SE"},"personal_number":"480906-1510","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Kullagatan 4","postcode":"25224","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"559579-6516","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}', '{"gsrn":["735999644522661194"],"meter_number":["7350039"]}', '0d98a211-3bd1-5961-b588-7f7a3a8c4b8c', '2023-11-05 08:30:00+00', 1);
INSERT INTO cases VALUES ('SE-1004', 'archived', 'with_prenotification', '{"case_id":"SE-1004","status":"archived","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999055977253672"],"meter_number":["7350052"]},"last_message_id":"2e9abfa7-fd9b-5d6b-a0e3-766dd27b2cca","updated_at":"2024-02-03T08:30:00Z","case":{"case_id":"SE-1004","reference":"MEE9545","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359999227480","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"552308-7764","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999055977253672","meter_number":"7350052","technical_number":"T-40104","customer_number":"880004","substation":"T118","purchase_order_number":"PO-5004","address":{"street":"Björkgatan 5","postcode":"25225","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Björkgatan 5","postcode":"25225","town":"Helsingborg","country":"SE"},"personal_number":"780310-6348","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Björkgatan 5","postcode":"25225","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"556475-2664","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}', '{"gsrn":["735999055977253672"],"meter_number":["7350052"]}', '2e9abfa7-fd9b-5d6b-a0e3-766dd27b2cca', '2024-02-03 08:30:00+00', 1);

INSERT INTO connector_pause VALUES ('kis', '2026-12-02 15:50:06.704789+00', 'setup', 'KIS underhåll');

INSERT INTO dead_letter VALUES (3, '1e44f59e-3094-5b83-a44e-6f41d6dcde36', 'SE-1012', 'workorder.created', 'workorders', 'metering', '\x7b226d6573736167655f6964223a2231653434663539652d333039342d356238332d613434652d366634316436646364653336222c22636173655f6964223a2253452d31303132222c22636175736174696f6e5f6964223a6e756c6c2c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a226d65746572696e67222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303132222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939373632383331353433303736222c226d657465725f6e756d626572223a223733353030303132222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-gridhub-attempt":3}', 3, '2023-08-29 08:25:00+00', '2023-08-29 08:30:00+00', 'TargetRejected', 'HTTP 422: gsrn okänd hos mätvärdessystemet', 'WorkOrder/Gsrn', 'null', '75a8510ebc67', 'open', 0, '{"gsrn":["735999762831543076"],"meter_number":["73500012"],"workorder_id":["AO-SE-1012"]}', '2026-12-02 15:50:03.993851+00');
INSERT INTO dead_letter VALUES (4, '4227b237-ae3d-5e64-baff-90505231f285', 'SE-1013', 'workorder.created', 'workorders', 'metering', '\x7b226d6573736167655f6964223a2234323237623233372d616533642d356536342d626166662d393035303532333166323835222c22636173655f6964223a2253452d31303133222c22636175736174696f6e5f6964223a6e756c6c2c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a226d65746572696e67222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303133222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939353834323938303539373336222c226d657465725f6e756d626572223a223733353030303133222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-gridhub-attempt":3}', 3, '2023-08-30 08:25:00+00', '2023-08-30 08:30:00+00', 'TargetRejected', 'HTTP 422: gsrn okänd hos mätvärdessystemet', 'WorkOrder/Gsrn', 'null', '75a8510ebc67', 'open', 0, '{"gsrn":["735999584298059736"],"meter_number":["73500013"],"workorder_id":["AO-SE-1013"]}', '2026-12-02 15:50:03.993851+00');
INSERT INTO dead_letter VALUES (1, 'b1f6f745-a318-5201-b450-c44be88d176f', 'SE-1010', 'workorder.created', 'workorders', 'metering', '\x7b226d6573736167655f6964223a2262316636663734352d613331382d353230312d623435302d633434626538386431373666222c22636173655f6964223a2253452d31303130222c22636175736174696f6e5f6964223a6e756c6c2c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a226d65746572696e67222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303130222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939333132353638353730353838222c226d657465725f6e756d626572223a223733353030303130222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-gridhub-attempt":3}', 3, '2023-08-27 08:25:00+00', '2023-08-27 08:30:00+00', 'TargetRejected', 'HTTP 422: gsrn okänd hos mätvärdessystemet', 'WorkOrder/Gsrn', 'null', '75a8510ebc67', 'discarded', 0, '{"gsrn":["735999312568570588"],"meter_number":["73500010"],"workorder_id":["AO-SE-1010"]}', '2026-12-02 15:50:03.993851+00');
INSERT INTO dead_letter VALUES (2, '42200d60-9c5d-52ff-a01b-d114751092bd', 'SE-1011', 'workorder.created', 'workorders', 'metering', '\x7b226d6573736167655f6964223a2234323230306436302d396335642d353266662d613031622d643131343735313039326264222c22636173655f6964223a2253452d31303131222c22636175736174696f6e5f6964223a6e756c6c2c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a226d65746572696e67222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303131222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939393134363335323739383931222c226d657465725f6e756d626572223a223733353030303131222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-gridhub-attempt":3}', 3, '2023-08-28 08:25:00+00', '2023-08-28 08:30:00+00', 'TargetRejected', 'HTTP 422: gsrn okänd hos mätvärdessystemet', 'WorkOrder/Gsrn', 'null', '75a8510ebc67', 'replayed', 1, '{"gsrn":["735999914635279891"],"meter_number":["73500011"],"workorder_id":["AO-SE-1011"]}', '2026-12-02 15:50:03.993851+00');

INSERT INTO dead_letter_key VALUES (1, 'gsrn', '735999312568570588');
INSERT INTO dead_letter_key VALUES (1, 'meter_number', '73500010');
INSERT INTO dead_letter_key VALUES (1, 'workorder_id', 'AO-SE-1010');
INSERT INTO dead_letter_key VALUES (2, 'gsrn', '735999914635279891');
INSERT INTO dead_letter_key VALUES (2, 'meter_number', '73500011');
INSERT INTO dead_letter_key VALUES (2, 'workorder_id', 'AO-SE-1011');
INSERT INTO dead_letter_key VALUES (3, 'gsrn', '735999762831543076');
INSERT INTO dead_letter_key VALUES (3, 'meter_number', '73500012');
INSERT INTO dead_letter_key VALUES (3, 'workorder_id', 'AO-SE-1012');
INSERT INTO dead_letter_key VALUES (4, 'gsrn', '735999584298059736');
INSERT INTO dead_letter_key VALUES (4, 'meter_number', '73500013');
INSERT INTO dead_letter_key VALUES (4, 'workorder_id', 'AO-SE-1013');

INSERT INTO delivered VALUES ('metering', '60471b9a-c9e6-5d62-bd4e-9908ec4eff63', '2024-03-14 08:30:00+00');
INSERT INTO delivered VALUES ('metering', 'ed79f754-4902-523f-8d0e-cde875830827', '2024-03-13 08:30:00+00');
INSERT INTO delivered VALUES ('metering', 'd120825d-c04a-5e57-84c5-21e057f31ec6', '2024-03-12 08:30:00+00');
INSERT INTO delivered VALUES ('metering', '8265d04d-9fca-517a-997e-66c9c2d2e44d', '2024-03-11 08:30:00+00');
INSERT INTO delivered VALUES ('metering', '441f1eb9-c92a-5b9c-b384-3e2f4c612cb2', '2024-03-10 08:30:00+00');

INSERT INTO hub_member VALUES ('gridhub', 'worker-1', '2024-03-14 08:30:00+00');

INSERT INTO ops_audit VALUES (1, '2024-03-14 08:30:00+00', 'setup', 'user.add', 'user anna', NULL, 'user added', '{}');
INSERT INTO ops_audit VALUES (2, '2024-03-14 08:30:00+00', 'setup', 'role.grant', 'user anna', NULL, 'role operator until 2025-03-14', '{"role":"operator","expires_at":"2025-03-14T08:30:00+00:00"}');
INSERT INTO ops_audit VALUES (3, '2024-03-14 08:30:00+00', 'setup', 'user.add', 'user bertil', NULL, 'user added', '{}');
INSERT INTO ops_audit VALUES (4, '2024-03-14 08:30:00+00', 'setup', 'role.grant', 'user bertil', NULL, 'role admin until 2025-03-14', '{"role":"admin","expires_at":"2025-03-14T08:30:00+00:00"}');
INSERT INTO ops_audit VALUES (5, '2024-03-14 08:30:00+00', 'setup', 'token.create', 'token nis-bridge', NULL, 'token 9b461bc4afda6383 with viewer until 2025-03-14', '{"token_id":"9b461bc4afda6383","roles":["viewer"],"personal_data":false}');
INSERT INTO ops_audit VALUES (6, '2024-03-14 08:30:00+00', 'setup', 'token.create', 'token monitor', NULL, 'token 9a9e47b38697d5b3 with operator, viewer until 2025-03-14', '{"token_id":"9a9e47b38697d5b3","roles":["operator","viewer"],"personal_data":true}');
INSERT INTO ops_audit VALUES (7, '2026-12-02 15:50:06.704789+00', 'setup', 'pause', 'connector kis', NULL, 'KIS underhåll', '{"connector":"kis"}');

INSERT INTO outbox VALUES (1, '60471b9a-c9e6-5d62-bd4e-9908ec4eff63', 'f50ddd66-7ff7-5cb7-9b9e-c5e9786e4e33', 'metering', '\x7b226d6573736167655f6964223a2266353064646436362d376666372d356362372d396239652d633565393738366534653333222c22636173655f6964223a2253452d31303030222c22636175736174696f6e5f6964223a2236303437316239612d633965362d356436322d626434652d393930386563346566663633222c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a22687562222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303030222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939383732363034343939333630222c226d657465725f6e756d626572223a223733353030303030222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-index":0}', '2026-12-02 15:50:03.970331+00');
INSERT INTO outbox VALUES (2, 'ed79f754-4902-523f-8d0e-cde875830827', 'ac25c19c-5e78-54e8-bd74-25c2cc4ba8bd', 'metering', '\x7b226d6573736167655f6964223a2261633235633139632d356537382d353465382d626437342d323563326363346261386264222c22636173655f6964223a2253452d31303031222c22636175736174696f6e5f6964223a2265643739663735342d343930322d353233662d386430652d636465383735383330383237222c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a22687562222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303031222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939333234353534303130373730222c226d657465725f6e756d626572223a223733353030303031222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-index":0}', '2026-12-02 15:50:03.976854+00');
INSERT INTO outbox VALUES (3, 'd120825d-c04a-5e57-84c5-21e057f31ec6', 'e52887e2-648f-559a-a58a-771c7c70ca78', 'metering', '\x7b226d6573736167655f6964223a2265353238383765322d363438662d353539612d613538612d373731633763373063613738222c22636173655f6964223a2253452d31303032222c22636175736174696f6e5f6964223a2264313230383235642d633034612d356535372d383463352d323165303537663331656336222c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a22687562222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303032222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939343432393734353131383732222c226d657465725f6e756d626572223a223733353030303032222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-index":0}', '2026-12-02 15:50:03.978941+00');
INSERT INTO outbox VALUES (4, '8265d04d-9fca-517a-997e-66c9c2d2e44d', '1a2a6bcf-87a6-5d88-9be2-6a2e11d45697', 'metering', '\x7b226d6573736167655f6964223a2231613261366263662d383761362d356438382d396265322d366132653131643435363937222c22636173655f6964223a2253452d31303033222c22636175736174696f6e5f6964223a2238323635643034642d396663612d353137612d393937652d363663396332643265343464222c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a22687562222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303033222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939363434353232363631313934222c226d657465725f6e756d626572223a223733353030303033222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-index":0}', '2026-12-02 15:50:03.984803+00');
INSERT INTO outbox VALUES (5, '441f1eb9-c92a-5b9c-b384-3e2f4c612cb2', 'b6b9d53b-0722-53c1-b4d0-040637ff0bf6', 'metering', '\x7b226d6573736167655f6964223a2262366239643533622d303732322d353363312d623464302d303430363337666630626636222c22636173655f6964223a2253452d31303034222c22636175736174696f6e5f6964223a2234343166316562392d633932612d356239632d623338342d336532663463363132636232222c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a22687562222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303034222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939303535393737323533363732222c226d657465725f6e756d626572223a223733353030303034222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-route":"workorders","x-index":0}', '2026-12-02 15:50:03.989058+00');

INSERT INTO scheduled VALUES (1, 'metering', 'SE-1020', '07e5741b-d41f-5732-be81-7e7bf96c90f0', 'workorders', '\x7b226d6573736167655f6964223a2230376535373431622d643431662d353733322d626538312d376537626639366339306630222c22636173655f6964223a2253452d31303230222c22636175736174696f6e5f6964223a6e756c6c2c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a226d65746572696e67222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303230222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939323134353833393239343132222c226d657465725f6e756d626572223a223733353030303230222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-attempt":1}', 1, '2024-03-14 08:30:00+00', 'TargetTimeout: no answer in 10 s', '2024-03-14 08:30:00+00');
INSERT INTO scheduled VALUES (2, 'metering', 'SE-1021', '80b85063-22fe-5d19-943b-09ceae0541bb', 'workorders', '\x7b226d6573736167655f6964223a2238306238353036332d323266652d356431392d393433622d303963656165303534316262222c22636173655f6964223a2253452d31303231222c22636175736174696f6e5f6964223a6e756c6c2c2274797065223a22776f726b6f726465722e63726561746564222c22736f75726365223a226d65746572696e67222c226f636375727265645f6174223a22323032342d30332d31345430383a33303a30305a222c22736368656d615f76657273696f6e223a312c227061796c6f6164223a7b22776f726b6f726465725f6964223a22414f2d53452d31303231222c226b696e64223a226d657465725f6e65775f696e7374616c6c6174696f6e222c226773726e223a22373335393939343236393731333337363034222c226d657465725f6e756d626572223a223733353030303231222c226174223a22323032342d30332d31345430383a33303a30302b30303a3030227d7d', '{"x-gridhub-attempt":1}', 1, NULL, NULL, NULL);

INSERT INTO seen VALUES ('hub', '60471b9a-c9e6-5d62-bd4e-9908ec4eff63', '2024-03-14 08:30:00+00');
INSERT INTO seen VALUES ('hub', 'ed79f754-4902-523f-8d0e-cde875830827', '2024-03-04 08:30:00+00');
INSERT INTO seen VALUES ('hub', 'd120825d-c04a-5e57-84c5-21e057f31ec6', '2024-02-23 08:30:00+00');
INSERT INTO seen VALUES ('hub', '8265d04d-9fca-517a-997e-66c9c2d2e44d', '2024-02-13 08:30:00+00');
INSERT INTO seen VALUES ('hub', '441f1eb9-c92a-5b9c-b384-3e2f4c612cb2', '2024-02-03 08:30:00+00');

INSERT INTO trace VALUES (1, '60471b9a-c9e6-5d62-bd4e-9908ec4eff63', 'SE-1000', 'workorder.created', 'received', 'metering', NULL, NULL, 'ok', 0, '2023-05-19 08:30:00+00', NULL, '{"gsrn":["735999872604499360"],"meter_number":["73500000"],"workorder_id":["AO-SE-1000"]}');
INSERT INTO trace VALUES (2, '60471b9a-c9e6-5d62-bd4e-9908ec4eff63', 'SE-1000', 'workorder.created', 'delivered', 'metering', 'metering', 'workorders', 'ok', 1, '2023-05-19 08:31:00+00', NULL, '{"gsrn":["735999872604499360"],"meter_number":["73500000"],"workorder_id":["AO-SE-1000"]}');
INSERT INTO trace VALUES (3, 'ed79f754-4902-523f-8d0e-cde875830827', 'SE-1001', 'workorder.created', 'received', 'metering', NULL, NULL, 'ok', 0, '2023-05-20 08:30:00+00', NULL, '{"gsrn":["735999324554010770"],"meter_number":["73500001"],"workorder_id":["AO-SE-1001"]}');
INSERT INTO trace VALUES (4, 'ed79f754-4902-523f-8d0e-cde875830827', 'SE-1001', 'workorder.created', 'delivered', 'metering', 'metering', 'workorders', 'ok', 1, '2023-05-20 08:31:00+00', NULL, '{"gsrn":["735999324554010770"],"meter_number":["73500001"],"workorder_id":["AO-SE-1001"]}');
INSERT INTO trace VALUES (5, 'd120825d-c04a-5e57-84c5-21e057f31ec6', 'SE-1002', 'workorder.created', 'received', 'metering', NULL, NULL, 'ok', 0, '2023-05-21 08:30:00+00', NULL, '{"gsrn":["735999442974511872"],"meter_number":["73500002"],"workorder_id":["AO-SE-1002"]}');
INSERT INTO trace VALUES (6, 'd120825d-c04a-5e57-84c5-21e057f31ec6', 'SE-1002', 'workorder.created', 'delivered', 'metering', 'metering', 'workorders', 'ok', 1, '2023-05-21 08:31:00+00', NULL, '{"gsrn":["735999442974511872"],"meter_number":["73500002"],"workorder_id":["AO-SE-1002"]}');
INSERT INTO trace VALUES (7, '8265d04d-9fca-517a-997e-66c9c2d2e44d', 'SE-1003', 'workorder.created', 'received', 'metering', NULL, NULL, 'ok', 0, '2023-05-22 08:30:00+00', NULL, '{"gsrn":["735999644522661194"],"meter_number":["73500003"],"workorder_id":["AO-SE-1003"]}');
INSERT INTO trace VALUES (8, '8265d04d-9fca-517a-997e-66c9c2d2e44d', 'SE-1003', 'workorder.created', 'delivered', 'metering', 'metering', 'workorders', 'ok', 1, '2023-05-22 08:31:00+00', NULL, '{"gsrn":["735999644522661194"],"meter_number":["73500003"],"workorder_id":["AO-SE-1003"]}');
INSERT INTO trace VALUES (9, '441f1eb9-c92a-5b9c-b384-3e2f4c612cb2', 'SE-1004', 'workorder.created', 'received', 'metering', NULL, NULL, 'ok', 0, '2023-05-23 08:30:00+00', NULL, '{"gsrn":["735999055977253672"],"meter_number":["73500004"],"workorder_id":["AO-SE-1004"]}');
INSERT INTO trace VALUES (10, '441f1eb9-c92a-5b9c-b384-3e2f4c612cb2', 'SE-1004', 'workorder.created', 'delivered', 'metering', 'metering', 'workorders', 'ok', 1, '2023-05-23 08:31:00+00', NULL, '{"gsrn":["735999055977253672"],"meter_number":["73500004"],"workorder_id":["AO-SE-1004"]}');

SELECT pg_catalog.setval('dead_letter_id_seq', 4, true);

SELECT pg_catalog.setval('ops_audit_id_seq', 7, true);

SELECT pg_catalog.setval('outbox_seq_seq', 5, true);

SELECT pg_catalog.setval('scheduled_id_seq', 2, true);

SELECT pg_catalog.setval('trace_id_seq', 10, true);

ALTER TABLE ONLY access_grant
    ADD CONSTRAINT access_grant_pkey PRIMARY KEY (user_name, role);

ALTER TABLE ONLY access_login_failure
    ADD CONSTRAINT access_login_failure_pkey PRIMARY KEY (user_name);

ALTER TABLE ONLY access_token
    ADD CONSTRAINT access_token_pkey PRIMARY KEY (token_id);

ALTER TABLE ONLY access_user
    ADD CONSTRAINT access_user_pkey PRIMARY KEY (name);

ALTER TABLE ONLY access_warning
    ADD CONSTRAINT access_warning_pkey PRIMARY KEY (user_name, role, day);

ALTER TABLE ONLY aggregation_part
    ADD CONSTRAINT aggregation_part_pkey PRIMARY KEY (key, part_type);

ALTER TABLE ONLY aggregation
    ADD CONSTRAINT aggregation_pkey PRIMARY KEY (key);

ALTER TABLE ONLY case_key
    ADD CONSTRAINT case_key_pkey PRIMARY KEY (case_id, kind, value);

ALTER TABLE ONLY cases
    ADD CONSTRAINT cases_pkey PRIMARY KEY (case_id);

ALTER TABLE ONLY connector_pause
    ADD CONSTRAINT connector_pause_pkey PRIMARY KEY (connector);

ALTER TABLE ONLY dead_letter_key
    ADD CONSTRAINT dead_letter_key_pkey PRIMARY KEY (dead_letter_id, kind, value);

ALTER TABLE ONLY dead_letter
    ADD CONSTRAINT dead_letter_pkey PRIMARY KEY (id);

ALTER TABLE ONLY delivered
    ADD CONSTRAINT delivered_pkey PRIMARY KEY (destination, message_id);

ALTER TABLE ONLY hub_member
    ADD CONSTRAINT hub_member_pkey PRIMARY KEY (namespace, worker_id);

ALTER TABLE ONLY ops_audit
    ADD CONSTRAINT ops_audit_pkey PRIMARY KEY (id);

ALTER TABLE ONLY outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY scheduled
    ADD CONSTRAINT scheduled_pkey PRIMARY KEY (id);

ALTER TABLE ONLY seen
    ADD CONSTRAINT seen_pkey PRIMARY KEY (consumer, message_id);

ALTER TABLE ONLY trace
    ADD CONSTRAINT trace_pkey PRIMARY KEY (id);

CREATE INDEX ix_access_grant_expires_at ON access_grant USING btree (expires_at);

CREATE INDEX ix_access_login_failure_window_start ON access_login_failure USING btree (window_start);

CREATE INDEX ix_access_token_name ON access_token USING btree (name);

CREATE INDEX ix_aggregation_expires_at ON aggregation USING btree (expires_at);

CREATE INDEX ix_case_key_value ON case_key USING btree (value);

CREATE INDEX ix_dead_letter_case_id ON dead_letter USING btree (case_id);

CREATE INDEX ix_dead_letter_key_value ON dead_letter_key USING btree (value);

CREATE INDEX ix_dead_letter_message_id ON dead_letter USING btree (message_id);

CREATE INDEX ix_dead_letter_status_fingerprint ON dead_letter USING btree (status, fingerprint);

CREATE INDEX ix_ops_audit_at ON ops_audit USING btree (at);

CREATE INDEX ix_ops_audit_dead_letter_id ON ops_audit USING btree (dead_letter_id);

CREATE INDEX ix_outbox_created_at ON outbox USING btree (created_at);

CREATE INDEX ix_outbox_input_id ON outbox USING btree (input_id);

CREATE INDEX ix_scheduled_due_at ON scheduled USING btree (due_at);

CREATE INDEX ix_scheduled_pair ON scheduled USING btree (destination, case_id, id);

CREATE INDEX ix_seen_seen_at ON seen USING btree (seen_at);

CREATE INDEX ix_trace_case_at ON trace USING btree (case_id, at);

CREATE INDEX ix_trace_message_id ON trace USING btree (message_id);

ALTER TABLE ONLY access_grant
    ADD CONSTRAINT access_grant_user_name_fkey FOREIGN KEY (user_name) REFERENCES access_user(name) ON DELETE CASCADE;

ALTER TABLE ONLY dead_letter_key
    ADD CONSTRAINT dead_letter_key_dead_letter_id_fkey FOREIGN KEY (dead_letter_id) REFERENCES dead_letter(id);

