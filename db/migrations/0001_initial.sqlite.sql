-- 0001: the initial FrontDesk schema (sqlite). Frozen: change the schema in a new migration.
CREATE TABLE "audit_log" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "username" VARCHAR(64) NOT NULL, "desk" VARCHAR(64) NOT NULL, "action" VARCHAR(64) NOT NULL, "record_type" VARCHAR(32) NOT NULL, "record_id" VARCHAR(64) NOT NULL, "details" TEXT NOT NULL)
;
CREATE INDEX "audit_log_at" ON "audit_log" ("at")
;
CREATE INDEX "audit_log_action" ON "audit_log" ("action")
;
CREATE TABLE "organisation" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(128) NOT NULL, "contact_name" VARCHAR(64) NOT NULL, "contact_phone" VARCHAR(32) NOT NULL)
;
CREATE UNIQUE INDEX "organisation_name" ON "organisation" ("name")
;
CREATE TABLE "guest" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(64) NOT NULL, "sex" VARCHAR(1) NOT NULL, "birth_date" DATE, "id_type" VARCHAR(16) NOT NULL, "id_number" VARCHAR(32), "phone" VARCHAR(20), "pinyin_initials" VARCHAR(64) NOT NULL, "organisation_id" INTEGER, "merged_into_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("organisation_id") REFERENCES "organisation" ("id"), FOREIGN KEY ("merged_into_id") REFERENCES "guest" ("id"))
;
CREATE INDEX "guest_id_number" ON "guest" ("id_number")
;
CREATE INDEX "guest_phone" ON "guest" ("phone")
;
CREATE INDEX "guest_pinyin_initials" ON "guest" ("pinyin_initials")
;
CREATE INDEX "guest_organisation_id" ON "guest" ("organisation_id")
;
CREATE INDEX "guest_merged_into_id" ON "guest" ("merged_into_id")
;
CREATE INDEX "guest_name_birth_date" ON "guest" ("name", "birth_date")
;
CREATE TABLE "package" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" VARCHAR(64) NOT NULL, "name_en" VARCHAR(96) NOT NULL, "price" INTEGER NOT NULL, "sex_restriction" VARCHAR(1), "min_age" INTEGER, "max_age" INTEGER, "for_groups" INTEGER NOT NULL, "active" INTEGER NOT NULL)
;
CREATE UNIQUE INDEX "package_code" ON "package" ("code")
;
CREATE TABLE "contract" ("id" INTEGER NOT NULL PRIMARY KEY, "organisation_id" INTEGER NOT NULL, "name" VARCHAR(128) NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE NOT NULL, "package_id" INTEGER, "male_package_id" INTEGER, "female_package_id" INTEGER, "org_pays_package" INTEGER NOT NULL, "addon_allowance" INTEGER NOT NULL, "active" INTEGER NOT NULL, FOREIGN KEY ("organisation_id") REFERENCES "organisation" ("id"), FOREIGN KEY ("package_id") REFERENCES "package" ("id"), FOREIGN KEY ("male_package_id") REFERENCES "package" ("id"), FOREIGN KEY ("female_package_id") REFERENCES "package" ("id"))
;
CREATE INDEX "contract_organisation_id" ON "contract" ("organisation_id")
;
CREATE INDEX "contract_package_id" ON "contract" ("package_id")
;
CREATE INDEX "contract_male_package_id" ON "contract" ("male_package_id")
;
CREATE INDEX "contract_female_package_id" ON "contract" ("female_package_id")
;
CREATE TABLE "roster_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "contract_id" INTEGER NOT NULL, "name" VARCHAR(64) NOT NULL, "sex" VARCHAR(1) NOT NULL, "birth_date" DATE, "id_number" VARCHAR(32), "phone" VARCHAR(20), "grade" VARCHAR(32) NOT NULL, "department" VARCHAR(64) NOT NULL, "package_id" INTEGER, "guest_id" INTEGER, FOREIGN KEY ("contract_id") REFERENCES "contract" ("id") ON DELETE CASCADE, FOREIGN KEY ("package_id") REFERENCES "package" ("id"), FOREIGN KEY ("guest_id") REFERENCES "guest" ("id"))
;
CREATE INDEX "roster_entry_contract_id" ON "roster_entry" ("contract_id")
;
CREATE INDEX "roster_entry_id_number" ON "roster_entry" ("id_number")
;
CREATE INDEX "roster_entry_package_id" ON "roster_entry" ("package_id")
;
CREATE INDEX "roster_entry_guest_id" ON "roster_entry" ("guest_id")
;
CREATE TABLE "booking" ("id" INTEGER NOT NULL PRIMARY KEY, "booking_no" VARCHAR(16) NOT NULL, "guest_id" INTEGER NOT NULL, "exam_date" DATE NOT NULL, "package_id" INTEGER, "contract_id" INTEGER, "roster_entry_id" INTEGER, "source" VARCHAR(16) NOT NULL, "status" VARCHAR(16) NOT NULL, "note" TEXT NOT NULL, "reminded_at" DATETIME, "created_at" DATETIME NOT NULL, "created_by" VARCHAR(64) NOT NULL, FOREIGN KEY ("guest_id") REFERENCES "guest" ("id"), FOREIGN KEY ("package_id") REFERENCES "package" ("id"), FOREIGN KEY ("contract_id") REFERENCES "contract" ("id"), FOREIGN KEY ("roster_entry_id") REFERENCES "roster_entry" ("id"))
;
CREATE UNIQUE INDEX "booking_booking_no" ON "booking" ("booking_no")
;
CREATE INDEX "booking_guest_id" ON "booking" ("guest_id")
;
CREATE INDEX "booking_exam_date" ON "booking" ("exam_date")
;
CREATE INDEX "booking_package_id" ON "booking" ("package_id")
;
CREATE INDEX "booking_contract_id" ON "booking" ("contract_id")
;
CREATE INDEX "booking_roster_entry_id" ON "booking" ("roster_entry_id")
;
CREATE INDEX "booking_status" ON "booking" ("status")
;
CREATE TABLE "visit" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_no" VARCHAR(16) NOT NULL, "guest_id" INTEGER NOT NULL, "visit_date" DATE NOT NULL, "package_id" INTEGER, "contract_id" INTEGER, "booking_id" INTEGER, "source" VARCHAR(16) NOT NULL, "status" VARCHAR(24) NOT NULL, "desk" VARCHAR(64) NOT NULL, "checked_in_at" DATETIME NOT NULL, "checked_in_by" VARCHAR(64) NOT NULL, "closed_at" DATETIME, "closed_by" VARCHAR(64) NOT NULL, FOREIGN KEY ("guest_id") REFERENCES "guest" ("id"), FOREIGN KEY ("package_id") REFERENCES "package" ("id"), FOREIGN KEY ("contract_id") REFERENCES "contract" ("id"), FOREIGN KEY ("booking_id") REFERENCES "booking" ("id"))
;
CREATE UNIQUE INDEX "visit_visit_no" ON "visit" ("visit_no")
;
CREATE INDEX "visit_guest_id" ON "visit" ("guest_id")
;
CREATE INDEX "visit_visit_date" ON "visit" ("visit_date")
;
CREATE INDEX "visit_package_id" ON "visit" ("package_id")
;
CREATE INDEX "visit_contract_id" ON "visit" ("contract_id")
;
CREATE INDEX "visit_booking_id" ON "visit" ("booking_id")
;
CREATE INDEX "visit_status" ON "visit" ("status")
;
CREATE TABLE "belonging" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL, "tag_no" VARCHAR(16) NOT NULL, "description" VARCHAR(128) NOT NULL, "status" VARCHAR(16) NOT NULL, "stored_at" DATETIME NOT NULL, "stored_by" VARCHAR(64) NOT NULL, "returned_at" DATETIME, "returned_by" VARCHAR(64) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))
;
CREATE INDEX "belonging_visit_id" ON "belonging" ("visit_id")
;
CREATE TABLE "counter" ("name" VARCHAR(64) NOT NULL PRIMARY KEY, "value" INTEGER NOT NULL)
;
CREATE TABLE "station" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" VARCHAR(64) NOT NULL, "name_en" VARCHAR(64) NOT NULL, "location" VARCHAR(64) NOT NULL, "route_order" INTEGER NOT NULL, "daily_capacity" INTEGER)
;
CREATE UNIQUE INDEX "station_code" ON "station" ("code")
;
CREATE TABLE "tube_type" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" VARCHAR(64) NOT NULL, "name_en" VARCHAR(64) NOT NULL, "additive" VARCHAR(64) NOT NULL, "cap_colour" VARCHAR(32) NOT NULL, "cap_colour_en" VARCHAR(32) NOT NULL, "container_kind" VARCHAR(16) NOT NULL, "label_copies" INTEGER NOT NULL, "label_moment" VARCHAR(16) NOT NULL, "draw_order" INTEGER NOT NULL)
;
CREATE UNIQUE INDEX "tube_type_code" ON "tube_type" ("code")
;
CREATE TABLE "exam_item" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" VARCHAR(64) NOT NULL, "name_en" VARCHAR(96) NOT NULL, "short_name" VARCHAR(16) NOT NULL, "station_id" INTEGER NOT NULL, "price" INTEGER NOT NULL, "sex_restriction" VARCHAR(1), "tube_type_id" INTEGER, "fasting" INTEGER NOT NULL, "active" INTEGER NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id"), FOREIGN KEY ("tube_type_id") REFERENCES "tube_type" ("id"))
;
CREATE UNIQUE INDEX "exam_item_code" ON "exam_item" ("code")
;
CREATE INDEX "exam_item_station_id" ON "exam_item" ("station_id")
;
CREATE INDEX "exam_item_tube_type_id" ON "exam_item" ("tube_type_id")
;
CREATE TABLE "package_item" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "item_id" INTEGER NOT NULL, FOREIGN KEY ("package_id") REFERENCES "package" ("id") ON DELETE CASCADE, FOREIGN KEY ("item_id") REFERENCES "exam_item" ("id"))
;
CREATE INDEX "package_item_package_id" ON "package_item" ("package_id")
;
CREATE INDEX "package_item_item_id" ON "package_item" ("item_id")
;
CREATE UNIQUE INDEX "package_item_package_id_item_id" ON "package_item" ("package_id", "item_id")
;
CREATE TABLE "receipt" ("id" INTEGER NOT NULL PRIMARY KEY, "receipt_no" VARCHAR(16) NOT NULL, "visit_id" INTEGER NOT NULL, "kind" VARCHAR(16) NOT NULL, "status" VARCHAR(16) NOT NULL, "total" INTEGER NOT NULL, "issued_at" DATETIME NOT NULL, "cashier" VARCHAR(64) NOT NULL, "desk" VARCHAR(64) NOT NULL, "refund_of_id" INTEGER, "voided_at" DATETIME, "voided_by" VARCHAR(64) NOT NULL, "void_reason" VARCHAR(255) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("refund_of_id") REFERENCES "receipt" ("id"))
;
CREATE UNIQUE INDEX "receipt_receipt_no" ON "receipt" ("receipt_no")
;
CREATE INDEX "receipt_visit_id" ON "receipt" ("visit_id")
;
CREATE INDEX "receipt_issued_at" ON "receipt" ("issued_at")
;
CREATE INDEX "receipt_refund_of_id" ON "receipt" ("refund_of_id")
;
CREATE TABLE "payment" ("id" INTEGER NOT NULL PRIMARY KEY, "receipt_id" INTEGER NOT NULL, "method" VARCHAR(16) NOT NULL, "amount" INTEGER NOT NULL, "tendered" INTEGER, "change" INTEGER NOT NULL, FOREIGN KEY ("receipt_id") REFERENCES "receipt" ("id") ON DELETE CASCADE)
;
CREATE INDEX "payment_receipt_id" ON "payment" ("receipt_id")
;
CREATE TABLE "specimen" ("id" INTEGER NOT NULL PRIMARY KEY, "barcode" VARCHAR(16) NOT NULL, "visit_id" INTEGER NOT NULL, "tube_type_id" INTEGER NOT NULL, "status" VARCHAR(16) NOT NULL, "print_count" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "printed_at" DATETIME, "collected_at" DATETIME, "collected_by" VARCHAR(64) NOT NULL, "sent_at" DATETIME, "sent_by" VARCHAR(64) NOT NULL, "cancelled_at" DATETIME, "handover_no" VARCHAR(16), FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("tube_type_id") REFERENCES "tube_type" ("id"))
;
CREATE UNIQUE INDEX "specimen_barcode" ON "specimen" ("barcode")
;
CREATE INDEX "specimen_visit_id" ON "specimen" ("visit_id")
;
CREATE INDEX "specimen_tube_type_id" ON "specimen" ("tube_type_id")
;
CREATE INDEX "specimen_status" ON "specimen" ("status")
;
CREATE INDEX "specimen_handover_no" ON "specimen" ("handover_no")
;
CREATE TABLE "visit_item" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL, "item_id" INTEGER NOT NULL, "status" VARCHAR(16) NOT NULL, "is_addon" INTEGER NOT NULL, "price" INTEGER NOT NULL, "payer" VARCHAR(16) NOT NULL, "specimen_id" INTEGER, "added_at" DATETIME NOT NULL, "added_by" VARCHAR(64) NOT NULL, "done_at" DATETIME, "deferred_to" DATE, "reason" VARCHAR(255) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("item_id") REFERENCES "exam_item" ("id"), FOREIGN KEY ("specimen_id") REFERENCES "specimen" ("id"))
;
CREATE INDEX "visit_item_visit_id" ON "visit_item" ("visit_id")
;
CREATE INDEX "visit_item_item_id" ON "visit_item" ("item_id")
;
CREATE INDEX "visit_item_specimen_id" ON "visit_item" ("specimen_id")
;
CREATE TABLE "receipt_line" ("id" INTEGER NOT NULL PRIMARY KEY, "receipt_id" INTEGER NOT NULL, "visit_item_id" INTEGER, "description" VARCHAR(128) NOT NULL, "amount" INTEGER NOT NULL, "payer" VARCHAR(16) NOT NULL, FOREIGN KEY ("receipt_id") REFERENCES "receipt" ("id") ON DELETE CASCADE, FOREIGN KEY ("visit_item_id") REFERENCES "visit_item" ("id"))
;
CREATE INDEX "receipt_line_receipt_id" ON "receipt_line" ("receipt_id")
;
CREATE INDEX "receipt_line_visit_item_id" ON "receipt_line" ("visit_item_id")
;
CREATE TABLE "report_handout" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL, "method" VARCHAR(16) NOT NULL, "recipient_name" VARCHAR(64) NOT NULL, "recipient_id_number" VARCHAR(32) NOT NULL, "tracking_no" VARCHAR(64) NOT NULL, "appointment_at" DATETIME, "handed_at" DATETIME, "handed_by" VARCHAR(64) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))
;
CREATE INDEX "report_handout_visit_id" ON "report_handout" ("visit_id")
;
CREATE TABLE "schema_meta" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)
;
CREATE TABLE "setting" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)
;
CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(64) NOT NULL, "display_name" VARCHAR(64) NOT NULL, "role" VARCHAR(16) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "active" INTEGER NOT NULL, "failed_attempts" INTEGER NOT NULL, "locked_until" DATETIME, "created_at" DATETIME NOT NULL)
;
CREATE UNIQUE INDEX "user_username" ON "user" ("username")
;
