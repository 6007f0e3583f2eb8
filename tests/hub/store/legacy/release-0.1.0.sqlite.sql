-- A store made by gridhub 0.1.0 before migrations (commit 7339498: create_all, no
-- alembic_version), filled with cases (projected case states), trace, dead letters,
-- schedule, users, grants, tokens and audit. sqlite3 iterdump.
BEGIN TRANSACTION;
CREATE TABLE access_grant (
	user_name VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	granted_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	granted_by VARCHAR NOT NULL, 
	PRIMARY KEY (user_name, role), 
	FOREIGN KEY(user_name) REFERENCES access_user (name) ON DELETE CASCADE
);
INSERT INTO "access_grant" VALUES('anna','operator','2024-03-14 08:30:00.000000','2025-03-14 08:30:00.000000','setup');
INSERT INTO "access_grant" VALUES('bertil','admin','2024-03-14 08:30:00.000000','2025-03-14 08:30:00.000000','setup');
CREATE TABLE access_login_failure (
	user_name VARCHAR NOT NULL, 
	failures INTEGER NOT NULL, 
	window_start DATETIME NOT NULL, 
	locked_until DATETIME, 
	PRIMARY KEY (user_name)
);
INSERT INTO "access_login_failure" VALUES('cecilia',3,'2024-03-14 08:30:00.000000',NULL);
CREATE TABLE access_token (
	token_id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	secret_hash VARCHAR NOT NULL, 
	roles VARCHAR NOT NULL, 
	personal_data BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	expires_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (token_id)
);
INSERT INTO "access_token" VALUES('f2a5a4feb67726b2','nis-bridge','$argon2id$v=19$m=65536,t=3,p=4$d9vgx2ZMYVRZ0D/fuc1N/Q$sw8jMjra/D7G+vjO9CeKDpEF38PQr2UPyJCStHsq9Tg','viewer',0,'2024-03-14 08:30:00.000000','setup','2025-03-14 08:30:00.000000',NULL);
INSERT INTO "access_token" VALUES('2345ddef4ddbd32e','monitor','$argon2id$v=19$m=65536,t=3,p=4$+Y4dU+APhOLO8f9iIP7/qw$sTPWEriigaVWuY5D1iw/O5P1xi8vjAXJc1VleCrZ9fc','operator,viewer',1,'2024-03-14 08:30:00.000000','setup','2025-03-14 08:30:00.000000',NULL);
CREATE TABLE access_user (
	name VARCHAR NOT NULL, 
	email VARCHAR, 
	password_hash VARCHAR NOT NULL, 
	personal_data BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	PRIMARY KEY (name)
);
INSERT INTO "access_user" VALUES('anna','anna@example.se','$argon2id$v=19$m=65536,t=3,p=4$WkzS0+QQCRSRmIdSJONDrQ$hV16zZz92pSzyJ3Xmt35WpN7WgoWxjhBTOUxJLFGHAc',0,'2024-03-14 08:30:00.000000','setup');
INSERT INTO "access_user" VALUES('bertil',NULL,'$argon2id$v=19$m=65536,t=3,p=4$+YSSmQtHYrxQi+dgFQsjOw$iraHNBsABf7RLH/VCC1G8BrIfzQE6Lltl1r5Dh1r6qc',0,'2024-03-14 08:30:00.000000','setup');
CREATE TABLE access_warning (
	user_name VARCHAR NOT NULL, 
	role VARCHAR NOT NULL, 
	day VARCHAR NOT NULL, 
	mailed_at DATETIME, 
	PRIMARY KEY (user_name, role, day)
);
INSERT INTO "access_warning" VALUES('anna','operator','2026-11-01','2024-03-14 08:30:00.000000');
CREATE TABLE aggregation (
	"key" VARCHAR NOT NULL, 
	route VARCHAR NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "aggregation" VALUES('agg-1','workorders','2024-03-14 09:30:00.000000');
CREATE TABLE aggregation_part (
	"key" VARCHAR NOT NULL, 
	part_type VARCHAR NOT NULL, 
	message JSON NOT NULL, 
	PRIMARY KEY ("key", part_type)
);
INSERT INTO "aggregation_part" VALUES('agg-1','part-a','{"a":1}');
CREATE TABLE case_key (
	case_id VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (case_id, kind, value)
);
INSERT INTO "case_key" VALUES('SE-1000','gsrn','735999872604499360');
INSERT INTO "case_key" VALUES('SE-1000','meter_number','7350000');
INSERT INTO "case_key" VALUES('SE-1001','gsrn','735999324554010770');
INSERT INTO "case_key" VALUES('SE-1001','meter_number','7350013');
INSERT INTO "case_key" VALUES('SE-1002','gsrn','735999442974511872');
INSERT INTO "case_key" VALUES('SE-1002','meter_number','7350026');
INSERT INTO "case_key" VALUES('SE-1003','gsrn','735999644522661194');
INSERT INTO "case_key" VALUES('SE-1003','meter_number','7350039');
INSERT INTO "case_key" VALUES('SE-1004','gsrn','735999055977253672');
INSERT INTO "case_key" VALUES('SE-1004','meter_number','7350052');
INSERT INTO "case_key" VALUES('SE-1000','meter_number','73500000');
INSERT INTO "case_key" VALUES('SE-1000','workorder_id','AO-SE-1000');
INSERT INTO "case_key" VALUES('SE-1001','meter_number','73500001');
INSERT INTO "case_key" VALUES('SE-1001','workorder_id','AO-SE-1001');
INSERT INTO "case_key" VALUES('SE-1002','meter_number','73500002');
INSERT INTO "case_key" VALUES('SE-1002','workorder_id','AO-SE-1002');
INSERT INTO "case_key" VALUES('SE-1003','meter_number','73500003');
INSERT INTO "case_key" VALUES('SE-1003','workorder_id','AO-SE-1003');
INSERT INTO "case_key" VALUES('SE-1004','meter_number','73500004');
INSERT INTO "case_key" VALUES('SE-1004','workorder_id','AO-SE-1004');
CREATE TABLE cases (
	case_id VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	flow VARCHAR NOT NULL, 
	state JSON NOT NULL, 
	keys JSON NOT NULL, 
	last_message_id VARCHAR, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (case_id)
);
INSERT INTO "cases" VALUES('SE-1000','submitted','with_prenotification','{"case_id":"SE-1000","status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999872604499360"],"meter_number":["7350000"]},"last_message_id":"83f14a6c-23c0-58a2-bba5-c8adb14928d3","updated_at":"2023-02-08T08:30:00Z","case":{"case_id":"SE-1000","reference":"MEE9541","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359993217913","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"553180-5157","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999872604499360","meter_number":"7350000","technical_number":"T-40100","customer_number":"880000","substation":"T114","purchase_order_number":"PO-5000","address":{"street":"Storgatan 1","postcode":"25221","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Storgatan 1","postcode":"25221","town":"Helsingborg","country":"SE"},"personal_number":"920302-0384","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Storgatan 1","postcode":"25221","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"552077-7870","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}','{"gsrn":["735999872604499360"],"meter_number":["7350000"]}','83f14a6c-23c0-58a2-bba5-c8adb14928d3','2023-02-08 08:30:00.000000',1);
INSERT INTO "cases" VALUES('SE-1001','archived','with_prenotification','{"case_id":"SE-1001","status":"archived","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999324554010770"],"meter_number":["7350013"]},"last_message_id":"0e8a5834-472c-5224-9b63-03f1e94a60ac","updated_at":"2023-05-09T08:30:00Z","case":{"case_id":"SE-1001","reference":"MEE9542","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359994282804","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"552040-1638","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999324554010770","meter_number":"7350013","technical_number":"T-40101","customer_number":"880001","substation":"T115","purchase_order_number":"PO-5001","address":{"street":"Drottninggatan 2","postcode":"25222","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Drottninggatan 2","postcode":"25222","town":"Helsingborg","country":"SE"},"personal_number":"050822-3484","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Drottninggatan 2","postcode":"25222","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"556196-1607","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}','{"gsrn":["735999324554010770"],"meter_number":["7350013"]}','0e8a5834-472c-5224-9b63-03f1e94a60ac','2023-05-09 08:30:00.000000',1);
INSERT INTO "cases" VALUES('SE-1002','cancelled','with_prenotification','{"case_id":"SE-1002","status":"cancelled","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999442974511872"],"meter_number":["7350026"]},"last_message_id":"38606fe0-e4cb-5b4d-aabf-7f11b83f4e9a","updated_at":"2023-08-07T08:30:00Z","case":{"case_id":"SE-1002","reference":"MEE9543","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359995922983","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"557110-5823","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999442974511872","meter_number":"7350026","technical_number":"T-40102","customer_number":"880002","substation":"T116","purchase_order_number":"PO-5002","address":{"street":"Rönnvägen 3","postcode":"25223","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Rönnvägen 3","postcode":"25223","town":"Helsingborg","country":"SE"},"personal_number":"520120-4541","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Rönnvägen 3","postcode":"25223","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"559928-2455","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}','{"gsrn":["735999442974511872"],"meter_number":["7350026"]}','38606fe0-e4cb-5b4d-aabf-7f11b83f4e9a','2023-08-07 08:30:00.000000',1);
INSERT INTO "cases" VALUES('SE-1003','approved','with_prenotification','{"case_id":"SE-1003","status":"approved","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999644522661194"],"meter_number":["7350039"]},"last_message_id":"0d98a211-3bd1-5961-b588-7f7a3a8c4b8c","updated_at":"2023-11-05T08:30:00Z","case":{"case_id":"SE-1003","reference":"MEE9544","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359996212168","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"557097-1902","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999644522661194","meter_number":"7350039","technical_number":"T-40103","customer_number":"880003","substation":"T117","purchase_order_number":"PO-5003","address":{"street":"Kullagatan 4","postcode":"25224","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Kullagatan 4","postcode":"25224","town":"Helsingborg","country":"SE"},"personal_number":"480906-1510","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Kullagatan 4","postcode":"25224","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"559579-6516","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}','{"gsrn":["735999644522661194"],"meter_number":["7350039"]}','0d98a211-3bd1-5961-b588-7f7a3a8c4b8c','2023-11-05 08:30:00.000000',1);
INSERT INTO "cases" VALUES('SE-1004','archived','with_prenotification','{"case_id":"SE-1004","status":"archived","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[],"keys":{"gsrn":["735999055977253672"],"meter_number":["7350052"]},"last_message_id":"2e9abfa7-fd9b-5d6b-a0e3-766dd27b2cca","updated_at":"2024-02-03T08:30:00Z","case":{"case_id":"SE-1004","reference":"MEE9545","received_on":"2024-03-14","grid_owner":{"name":"Helsingborgs Nät AB","gln":"7359999227480","country":"SE"},"installer_company":{"name":"Bollérud Elektro AB","organisation_number":"552308-7764","email":"info@bollerud-elektro.se","phone":"042-123 45 67"},"installer":{"name":"Erik Johansson","email":"erik.johansson@bollerud-elektro.se","phone":"070-123 45 67","language":"sv"},"handler":{"name":"Maria Holm","email":"maria.holm@helsingborgsnat.se","phone":null,"language":"sv"},"installation_type":"new_installation","temporary_kind":null,"job_type":"single_meter","network_area":"Helsingborg","postcode":null,"municipality":"Helsingborg","facilities":[{"facility_id":"735999055977253672","meter_number":"7350052","technical_number":"T-40104","customer_number":"880004","substation":"T118","purchase_order_number":"PO-5004","address":{"street":"Björkgatan 5","postcode":"25225","town":"Helsingborg","country":"SE"},"meter_placement":"Mätarskåp i fasad","main_fuse_a":25,"ready_on":"2024-05-20"}],"property_owner":{"kind":"private","name":"Anna Lindqvist","co":null,"address":{"street":"Björkgatan 5","postcode":"25225","town":"Helsingborg","country":"SE"},"personal_number":"780310-6348","organisation_number":null,"phone":"070-765 43 21","email":"anna.lindqvist@example.se","invoice_reference":null},"payer":{"kind":"company","name":"Lindqvist Fastigheter AB","co":"Anna Lindqvist","address":{"street":"Björkgatan 5","postcode":"25225","town":"Helsingborg","country":"SE"},"personal_number":null,"organisation_number":"556475-2664","phone":null,"email":"faktura@lindqvist.example.se","invoice_reference":"Projekt Rönnen"},"notes":[],"attachments":[],"activity":[],"grid_data":null,"status":"submitted","flow":"with_prenotification","side_tracks":{"preparation":null,"work_order":null,"billing":null,"customer_service":null},"flags":[]}}','{"gsrn":["735999055977253672"],"meter_number":["7350052"]}','2e9abfa7-fd9b-5d6b-a0e3-766dd27b2cca','2024-02-03 08:30:00.000000',1);
CREATE TABLE connector_pause (
	connector VARCHAR NOT NULL, 
	paused_at DATETIME NOT NULL, 
	paused_by VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	PRIMARY KEY (connector)
);
INSERT INTO "connector_pause" VALUES('kis','2026-12-02 15:49:54.779007','setup','KIS underhåll');
CREATE TABLE dead_letter (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	message_id VARCHAR, 
	case_id VARCHAR, 
	message_type VARCHAR, 
	route VARCHAR, 
	connector VARCHAR NOT NULL, 
	body BLOB NOT NULL, 
	headers JSON NOT NULL, 
	attempts INTEGER NOT NULL, 
	first_failure_at DATETIME NOT NULL, 
	last_failure_at DATETIME NOT NULL, 
	exception_type VARCHAR NOT NULL, 
	exception_message VARCHAR NOT NULL, 
	"where" VARCHAR, 
	remote_fault JSON, 
	fingerprint VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	replay_count INTEGER NOT NULL, 
	keys JSON NOT NULL, 
	created_at DATETIME NOT NULL
);
INSERT INTO "dead_letter" VALUES(1,'b1f6f745-a318-5201-b450-c44be88d176f','SE-1010','workorder.created','workorders','metering',X'7B226D6573736167655F6964223A2262316636663734352D613331382D353230312D623435302D633434626538386431373666222C22636173655F6964223A2253452D31303130222C22636175736174696F6E5F6964223A6E756C6C2C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A226D65746572696E67222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303130222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939333132353638353730353838222C226D657465725F6E756D626572223A223733353030303130222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-gridhub-attempt":3}',3,'2023-08-27 08:25:00.000000','2023-08-27 08:30:00.000000','TargetRejected','HTTP 422: gsrn okänd hos mätvärdessystemet','WorkOrder/Gsrn','null','75a8510ebc67','discarded',0,'{"gsrn":["735999312568570588"],"meter_number":["73500010"],"workorder_id":["AO-SE-1010"]}','2026-12-02 15:49:52.100406');
INSERT INTO "dead_letter" VALUES(2,'42200d60-9c5d-52ff-a01b-d114751092bd','SE-1011','workorder.created','workorders','metering',X'7B226D6573736167655F6964223A2234323230306436302D396335642D353266662D613031622D643131343735313039326264222C22636173655F6964223A2253452D31303131222C22636175736174696F6E5F6964223A6E756C6C2C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A226D65746572696E67222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303131222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939393134363335323739383931222C226D657465725F6E756D626572223A223733353030303131222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-gridhub-attempt":3}',3,'2023-08-28 08:25:00.000000','2023-08-28 08:30:00.000000','TargetRejected','HTTP 422: gsrn okänd hos mätvärdessystemet','WorkOrder/Gsrn','null','75a8510ebc67','replayed',1,'{"gsrn":["735999914635279891"],"meter_number":["73500011"],"workorder_id":["AO-SE-1011"]}','2026-12-02 15:49:52.100406');
INSERT INTO "dead_letter" VALUES(3,'1e44f59e-3094-5b83-a44e-6f41d6dcde36','SE-1012','workorder.created','workorders','metering',X'7B226D6573736167655F6964223A2231653434663539652D333039342D356238332D613434652D366634316436646364653336222C22636173655F6964223A2253452D31303132222C22636175736174696F6E5F6964223A6E756C6C2C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A226D65746572696E67222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303132222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939373632383331353433303736222C226D657465725F6E756D626572223A223733353030303132222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-gridhub-attempt":3}',3,'2023-08-29 08:25:00.000000','2023-08-29 08:30:00.000000','TargetRejected','HTTP 422: gsrn okänd hos mätvärdessystemet','WorkOrder/Gsrn','null','75a8510ebc67','open',0,'{"gsrn":["735999762831543076"],"meter_number":["73500012"],"workorder_id":["AO-SE-1012"]}','2026-12-02 15:49:52.100406');
INSERT INTO "dead_letter" VALUES(4,'4227b237-ae3d-5e64-baff-90505231f285','SE-1013','workorder.created','workorders','metering',X'7B226D6573736167655F6964223A2234323237623233372D616533642D356536342D626166662D393035303532333166323835222C22636173655F6964223A2253452D31303133222C22636175736174696F6E5F6964223A6E756C6C2C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A226D65746572696E67222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303133222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939353834323938303539373336222C226D657465725F6E756D626572223A223733353030303133222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-gridhub-attempt":3}',3,'2023-08-30 08:25:00.000000','2023-08-30 08:30:00.000000','TargetRejected','HTTP 422: gsrn okänd hos mätvärdessystemet','WorkOrder/Gsrn','null','75a8510ebc67','open',0,'{"gsrn":["735999584298059736"],"meter_number":["73500013"],"workorder_id":["AO-SE-1013"]}','2026-12-02 15:49:52.100406');
CREATE TABLE dead_letter_key (
	dead_letter_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (dead_letter_id, kind, value), 
	FOREIGN KEY(dead_letter_id) REFERENCES dead_letter (id)
);
INSERT INTO "dead_letter_key" VALUES(1,'gsrn','735999312568570588');
INSERT INTO "dead_letter_key" VALUES(1,'meter_number','73500010');
INSERT INTO "dead_letter_key" VALUES(1,'workorder_id','AO-SE-1010');
INSERT INTO "dead_letter_key" VALUES(2,'gsrn','735999914635279891');
INSERT INTO "dead_letter_key" VALUES(2,'meter_number','73500011');
INSERT INTO "dead_letter_key" VALUES(2,'workorder_id','AO-SE-1011');
INSERT INTO "dead_letter_key" VALUES(3,'gsrn','735999762831543076');
INSERT INTO "dead_letter_key" VALUES(3,'meter_number','73500012');
INSERT INTO "dead_letter_key" VALUES(3,'workorder_id','AO-SE-1012');
INSERT INTO "dead_letter_key" VALUES(4,'gsrn','735999584298059736');
INSERT INTO "dead_letter_key" VALUES(4,'meter_number','73500013');
INSERT INTO "dead_letter_key" VALUES(4,'workorder_id','AO-SE-1013');
CREATE TABLE delivered (
	destination VARCHAR NOT NULL, 
	message_id VARCHAR NOT NULL, 
	delivered_at DATETIME NOT NULL, 
	PRIMARY KEY (destination, message_id)
);
INSERT INTO "delivered" VALUES('metering','60471b9a-c9e6-5d62-bd4e-9908ec4eff63','2024-03-14 08:30:00.000000');
INSERT INTO "delivered" VALUES('metering','ed79f754-4902-523f-8d0e-cde875830827','2024-03-13 08:30:00.000000');
INSERT INTO "delivered" VALUES('metering','d120825d-c04a-5e57-84c5-21e057f31ec6','2024-03-12 08:30:00.000000');
INSERT INTO "delivered" VALUES('metering','8265d04d-9fca-517a-997e-66c9c2d2e44d','2024-03-11 08:30:00.000000');
INSERT INTO "delivered" VALUES('metering','441f1eb9-c92a-5b9c-b384-3e2f4c612cb2','2024-03-10 08:30:00.000000');
CREATE TABLE hub_member (
	namespace VARCHAR NOT NULL, 
	worker_id VARCHAR NOT NULL, 
	seen_at DATETIME NOT NULL, 
	PRIMARY KEY (namespace, worker_id)
);
INSERT INTO "hub_member" VALUES('gridhub','worker-1','2024-03-14 08:30:00.000000');
CREATE TABLE ops_audit (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	subject VARCHAR NOT NULL, 
	dead_letter_id INTEGER, 
	reason VARCHAR NOT NULL, 
	detail JSON NOT NULL
);
INSERT INTO "ops_audit" VALUES(1,'2024-03-14 08:30:00.000000','setup','user.add','user anna',NULL,'user added','{}');
INSERT INTO "ops_audit" VALUES(2,'2024-03-14 08:30:00.000000','setup','role.grant','user anna',NULL,'role operator until 2025-03-14','{"role":"operator","expires_at":"2025-03-14T08:30:00+00:00"}');
INSERT INTO "ops_audit" VALUES(3,'2024-03-14 08:30:00.000000','setup','user.add','user bertil',NULL,'user added','{}');
INSERT INTO "ops_audit" VALUES(4,'2024-03-14 08:30:00.000000','setup','role.grant','user bertil',NULL,'role admin until 2025-03-14','{"role":"admin","expires_at":"2025-03-14T08:30:00+00:00"}');
INSERT INTO "ops_audit" VALUES(5,'2024-03-14 08:30:00.000000','setup','token.create','token nis-bridge',NULL,'token f2a5a4feb67726b2 with viewer until 2025-03-14','{"token_id":"f2a5a4feb67726b2","roles":["viewer"],"personal_data":false}');
INSERT INTO "ops_audit" VALUES(6,'2024-03-14 08:30:00.000000','setup','token.create','token monitor',NULL,'token 2345ddef4ddbd32e with operator, viewer until 2025-03-14','{"token_id":"2345ddef4ddbd32e","roles":["operator","viewer"],"personal_data":true}');
INSERT INTO "ops_audit" VALUES(7,'2026-12-02 15:49:54.779007','setup','pause','connector kis',NULL,'KIS underhåll','{"connector":"kis"}');
CREATE TABLE outbox (
	seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	input_id VARCHAR NOT NULL, 
	message_id VARCHAR NOT NULL, 
	destination VARCHAR NOT NULL, 
	body BLOB NOT NULL, 
	headers JSON NOT NULL, 
	created_at DATETIME NOT NULL
);
INSERT INTO "outbox" VALUES(1,'60471b9a-c9e6-5d62-bd4e-9908ec4eff63','f50ddd66-7ff7-5cb7-9b9e-c5e9786e4e33','metering',X'7B226D6573736167655F6964223A2266353064646436362D376666372D356362372D396239652D633565393738366534653333222C22636173655F6964223A2253452D31303030222C22636175736174696F6E5F6964223A2236303437316239612D633965362D356436322D626434652D393930386563346566663633222C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A22687562222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303030222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939383732363034343939333630222C226D657465725F6E756D626572223A223733353030303030222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-index":0}','2026-12-02 15:49:52.092123');
INSERT INTO "outbox" VALUES(2,'ed79f754-4902-523f-8d0e-cde875830827','ac25c19c-5e78-54e8-bd74-25c2cc4ba8bd','metering',X'7B226D6573736167655F6964223A2261633235633139632D356537382D353465382D626437342D323563326363346261386264222C22636173655F6964223A2253452D31303031222C22636175736174696F6E5F6964223A2265643739663735342D343930322D353233662D386430652D636465383735383330383237222C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A22687562222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303031222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939333234353534303130373730222C226D657465725F6E756D626572223A223733353030303031222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-index":0}','2026-12-02 15:49:52.096510');
INSERT INTO "outbox" VALUES(3,'d120825d-c04a-5e57-84c5-21e057f31ec6','e52887e2-648f-559a-a58a-771c7c70ca78','metering',X'7B226D6573736167655F6964223A2265353238383765322D363438662D353539612D613538612D373731633763373063613738222C22636173655F6964223A2253452D31303032222C22636175736174696F6E5F6964223A2264313230383235642D633034612D356535372D383463352D323165303537663331656336222C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A22687562222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303032222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939343432393734353131383732222C226D657465725F6E756D626572223A223733353030303032222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-index":0}','2026-12-02 15:49:52.098261');
INSERT INTO "outbox" VALUES(4,'8265d04d-9fca-517a-997e-66c9c2d2e44d','1a2a6bcf-87a6-5d88-9be2-6a2e11d45697','metering',X'7B226D6573736167655F6964223A2231613261366263662D383761362D356438382D396265322D366132653131643435363937222C22636173655F6964223A2253452D31303033222C22636175736174696F6E5F6964223A2238323635643034642D396663612D353137612D393937652D363663396332643265343464222C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A22687562222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303033222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939363434353232363631313934222C226D657465725F6E756D626572223A223733353030303033222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-index":0}','2026-12-02 15:49:52.098797');
INSERT INTO "outbox" VALUES(5,'441f1eb9-c92a-5b9c-b384-3e2f4c612cb2','b6b9d53b-0722-53c1-b4d0-040637ff0bf6','metering',X'7B226D6573736167655F6964223A2262366239643533622D303732322D353363312D623464302D303430363337666630626636222C22636173655F6964223A2253452D31303034222C22636175736174696F6E5F6964223A2234343166316562392D633932612D356239632D623338342D336532663463363132636232222C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A22687562222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303034222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939303535393737323533363732222C226D657465725F6E756D626572223A223733353030303034222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-route":"workorders","x-index":0}','2026-12-02 15:49:52.099293');
CREATE TABLE scheduled (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	destination VARCHAR NOT NULL, 
	case_id VARCHAR NOT NULL, 
	message_id VARCHAR NOT NULL, 
	route VARCHAR, 
	body BLOB NOT NULL, 
	headers JSON NOT NULL, 
	attempt INTEGER NOT NULL, 
	first_failure_at DATETIME, 
	last_error VARCHAR, 
	due_at DATETIME
);
INSERT INTO "scheduled" VALUES(1,'metering','SE-1020','07e5741b-d41f-5732-be81-7e7bf96c90f0','workorders',X'7B226D6573736167655F6964223A2230376535373431622D643431662D353733322D626538312D376537626639366339306630222C22636173655F6964223A2253452D31303230222C22636175736174696F6E5F6964223A6E756C6C2C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A226D65746572696E67222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303230222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939323134353833393239343132222C226D657465725F6E756D626572223A223733353030303230222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-attempt":1}',1,'2024-03-14 08:30:00.000000','TargetTimeout: no answer in 10 s','2024-03-14 08:30:00.000000');
INSERT INTO "scheduled" VALUES(2,'metering','SE-1021','80b85063-22fe-5d19-943b-09ceae0541bb','workorders',X'7B226D6573736167655F6964223A2238306238353036332D323266652D356431392D393433622D303963656165303534316262222C22636173655F6964223A2253452D31303231222C22636175736174696F6E5F6964223A6E756C6C2C2274797065223A22776F726B6F726465722E63726561746564222C22736F75726365223A226D65746572696E67222C226F636375727265645F6174223A22323032342D30332D31345430383A33303A30305A222C22736368656D615F76657273696F6E223A312C227061796C6F6164223A7B22776F726B6F726465725F6964223A22414F2D53452D31303231222C226B696E64223A226D657465725F6E65775F696E7374616C6C6174696F6E222C226773726E223A22373335393939343236393731333337363034222C226D657465725F6E756D626572223A223733353030303231222C226174223A22323032342D30332D31345430383A33303A30302B30303A3030227D7D','{"x-gridhub-attempt":1}',1,NULL,NULL,NULL);
CREATE TABLE seen (
	consumer VARCHAR NOT NULL, 
	message_id VARCHAR NOT NULL, 
	seen_at DATETIME NOT NULL, 
	PRIMARY KEY (consumer, message_id)
);
INSERT INTO "seen" VALUES('hub','60471b9a-c9e6-5d62-bd4e-9908ec4eff63','2024-03-14 08:30:00.000000');
INSERT INTO "seen" VALUES('hub','ed79f754-4902-523f-8d0e-cde875830827','2024-03-04 08:30:00.000000');
INSERT INTO "seen" VALUES('hub','d120825d-c04a-5e57-84c5-21e057f31ec6','2024-02-23 08:30:00.000000');
INSERT INTO "seen" VALUES('hub','8265d04d-9fca-517a-997e-66c9c2d2e44d','2024-02-13 08:30:00.000000');
INSERT INTO "seen" VALUES('hub','441f1eb9-c92a-5b9c-b384-3e2f4c612cb2','2024-02-03 08:30:00.000000');
CREATE TABLE trace (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	message_id VARCHAR NOT NULL, 
	case_id VARCHAR NOT NULL, 
	type VARCHAR NOT NULL, 
	hop VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	target VARCHAR, 
	route VARCHAR, 
	outcome VARCHAR NOT NULL, 
	attempt INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	detail VARCHAR, 
	keys JSON NOT NULL
);
INSERT INTO "trace" VALUES(1,'60471b9a-c9e6-5d62-bd4e-9908ec4eff63','SE-1000','workorder.created','received','metering',NULL,NULL,'ok',0,'2023-05-19 08:30:00.000000',NULL,'{"gsrn":["735999872604499360"],"meter_number":["73500000"],"workorder_id":["AO-SE-1000"]}');
INSERT INTO "trace" VALUES(2,'60471b9a-c9e6-5d62-bd4e-9908ec4eff63','SE-1000','workorder.created','delivered','metering','metering','workorders','ok',1,'2023-05-19 08:31:00.000000',NULL,'{"gsrn":["735999872604499360"],"meter_number":["73500000"],"workorder_id":["AO-SE-1000"]}');
INSERT INTO "trace" VALUES(3,'ed79f754-4902-523f-8d0e-cde875830827','SE-1001','workorder.created','received','metering',NULL,NULL,'ok',0,'2023-05-20 08:30:00.000000',NULL,'{"gsrn":["735999324554010770"],"meter_number":["73500001"],"workorder_id":["AO-SE-1001"]}');
INSERT INTO "trace" VALUES(4,'ed79f754-4902-523f-8d0e-cde875830827','SE-1001','workorder.created','delivered','metering','metering','workorders','ok',1,'2023-05-20 08:31:00.000000',NULL,'{"gsrn":["735999324554010770"],"meter_number":["73500001"],"workorder_id":["AO-SE-1001"]}');
INSERT INTO "trace" VALUES(5,'d120825d-c04a-5e57-84c5-21e057f31ec6','SE-1002','workorder.created','received','metering',NULL,NULL,'ok',0,'2023-05-21 08:30:00.000000',NULL,'{"gsrn":["735999442974511872"],"meter_number":["73500002"],"workorder_id":["AO-SE-1002"]}');
INSERT INTO "trace" VALUES(6,'d120825d-c04a-5e57-84c5-21e057f31ec6','SE-1002','workorder.created','delivered','metering','metering','workorders','ok',1,'2023-05-21 08:31:00.000000',NULL,'{"gsrn":["735999442974511872"],"meter_number":["73500002"],"workorder_id":["AO-SE-1002"]}');
INSERT INTO "trace" VALUES(7,'8265d04d-9fca-517a-997e-66c9c2d2e44d','SE-1003','workorder.created','received','metering',NULL,NULL,'ok',0,'2023-05-22 08:30:00.000000',NULL,'{"gsrn":["735999644522661194"],"meter_number":["73500003"],"workorder_id":["AO-SE-1003"]}');
INSERT INTO "trace" VALUES(8,'8265d04d-9fca-517a-997e-66c9c2d2e44d','SE-1003','workorder.created','delivered','metering','metering','workorders','ok',1,'2023-05-22 08:31:00.000000',NULL,'{"gsrn":["735999644522661194"],"meter_number":["73500003"],"workorder_id":["AO-SE-1003"]}');
INSERT INTO "trace" VALUES(9,'441f1eb9-c92a-5b9c-b384-3e2f4c612cb2','SE-1004','workorder.created','received','metering',NULL,NULL,'ok',0,'2023-05-23 08:30:00.000000',NULL,'{"gsrn":["735999055977253672"],"meter_number":["73500004"],"workorder_id":["AO-SE-1004"]}');
INSERT INTO "trace" VALUES(10,'441f1eb9-c92a-5b9c-b384-3e2f4c612cb2','SE-1004','workorder.created','delivered','metering','metering','workorders','ok',1,'2023-05-23 08:31:00.000000',NULL,'{"gsrn":["735999055977253672"],"meter_number":["73500004"],"workorder_id":["AO-SE-1004"]}');
CREATE INDEX ix_seen_seen_at ON seen (seen_at);
CREATE INDEX ix_outbox_input_id ON outbox (input_id);
CREATE INDEX ix_outbox_created_at ON outbox (created_at);
CREATE INDEX ix_case_key_value ON case_key (value);
CREATE INDEX ix_trace_message_id ON trace (message_id);
CREATE INDEX ix_trace_case_at ON trace (case_id, at);
CREATE INDEX ix_dead_letter_message_id ON dead_letter (message_id);
CREATE INDEX ix_dead_letter_case_id ON dead_letter (case_id);
CREATE INDEX ix_dead_letter_status_fingerprint ON dead_letter (status, fingerprint);
CREATE INDEX ix_scheduled_due_at ON scheduled (due_at);
CREATE INDEX ix_scheduled_pair ON scheduled (destination, case_id, id);
CREATE INDEX ix_aggregation_expires_at ON aggregation (expires_at);
CREATE INDEX ix_access_token_name ON access_token (name);
CREATE INDEX ix_access_login_failure_window_start ON access_login_failure (window_start);
CREATE INDEX ix_ops_audit_at ON ops_audit (at);
CREATE INDEX ix_ops_audit_dead_letter_id ON ops_audit (dead_letter_id);
CREATE INDEX ix_dead_letter_key_value ON dead_letter_key (value);
CREATE INDEX ix_access_grant_expires_at ON access_grant (expires_at);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('trace',10);
INSERT INTO "sqlite_sequence" VALUES('outbox',5);
INSERT INTO "sqlite_sequence" VALUES('dead_letter',4);
INSERT INTO "sqlite_sequence" VALUES('scheduled',2);
INSERT INTO "sqlite_sequence" VALUES('ops_audit',7);
COMMIT;
