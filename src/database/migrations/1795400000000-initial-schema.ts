import { MigrationInterface, QueryRunner } from 'typeorm';

// Generated per engine from the entities (typeorm migration:generate); the schema drift test keeps them in step.
const POSTGRES_UP = [
  `CREATE TABLE "audit_entry" ("id" SERIAL NOT NULL, "occurred_at" character varying(24) NOT NULL, "actor" character varying(100) NOT NULL, "action" character varying(60) NOT NULL, "target" character varying(200) NOT NULL, "detail" text NOT NULL, "request_id" character varying(64), CONSTRAINT "PK_58a130a4b9da189f46ba2a01801" PRIMARY KEY ("id"))`,
  `CREATE INDEX "idx_audit_time" ON "audit_entry"("occurred_at")`,
  `CREATE TABLE "bill" ("bill_no" character varying(40) NOT NULL, "company_id" character varying(30) NOT NULL, "bill_key" character varying(35) NOT NULL, "period" character varying(6) NOT NULL, "amount" bigint NOT NULL, "late_fee" bigint NOT NULL, "start_date" character varying(10) NOT NULL, "end_date" character varying(10) NOT NULL, "due_date" character varying(10) NOT NULL, "status" integer NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "PK_8e60b395c73e59b025d30b9ad77" PRIMARY KEY ("bill_no"))`,
  `CREATE INDEX "idx_bill_customer_status" ON "bill"("company_id", "bill_key", "status")`,
  `CREATE TABLE "ledger_transaction" ("id" SERIAL NOT NULL, "inst_id" character varying(30) NOT NULL, "tran_seq" character varying(40) NOT NULL, "tran_code" character varying(20) NOT NULL, "company_id" character varying(30) NOT NULL, "bill_key" character varying(35) NOT NULL, "amount" bigint NOT NULL, "sub_channel" integer NOT NULL, "pay_date" character varying(24) NOT NULL, "business_date" character varying(10) NOT NULL, "tran_status" integer NOT NULL, "original_tran_seq" character varying(40), "batch_no" character varying(50), "resp_code" character varying(10) NOT NULL, "resp_message" character varying(60) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "PK_9d8a5faa905eacebcbfdad574f2" PRIMARY KEY ("id"))`,
  `CREATE INDEX "idx_ledger_customer" ON "ledger_transaction"("company_id", "bill_key")`,
  `CREATE INDEX "idx_ledger_statement" ON "ledger_transaction"("inst_id", "company_id", "business_date")`,
  `CREATE UNIQUE INDEX "uq_ledger_inst_seq" ON "ledger_transaction"("inst_id", "tran_seq")`,
  `CREATE TABLE "ledger_transaction_bill" ("transaction_id" integer NOT NULL, "bill_no" character varying(40) NOT NULL, "amount" bigint NOT NULL, CONSTRAINT "PK_f4aa59209c8548884fd29f3dffb" PRIMARY KEY ("transaction_id", "bill_no"))`,
  `CREATE TABLE "idempotency_record" ("inst_id" character varying(30) NOT NULL, "tran_seq" character varying(40) NOT NULL, "tran_code" character varying(20) NOT NULL, "request_hash" character varying(64) NOT NULL, "state" character varying(10) NOT NULL, "http_status" integer, "response_body" text, "created_at" character varying(24) NOT NULL, "expires_at" character varying(24) NOT NULL, CONSTRAINT "PK_d984e5bd40801d72cb896a9eeee" PRIMARY KEY ("inst_id", "tran_seq"))`,
  `CREATE INDEX "idx_idempotency_expiry" ON "idempotency_record"("expires_at")`,
  `CREATE TABLE "api_key" ("key_id" character varying(40) NOT NULL, "inst_id" character varying(30) NOT NULL, "key_hash" character varying(64) NOT NULL, "secret_enc" text NOT NULL, "status" character varying(10) NOT NULL, "created_at" character varying(24) NOT NULL, "last_used_at" character varying(24), "revoked_at" character varying(24), CONSTRAINT "PK_25317defbd76045915caa07f8aa" PRIMARY KEY ("key_id"))`,
  `CREATE INDEX "idx_api_key_inst" ON "api_key"("inst_id")`,
  `CREATE UNIQUE INDEX "uq_api_key_hash" ON "api_key"("key_hash")`,
  `CREATE TABLE "company" ("company_id" character varying(30) NOT NULL, "name" character varying(150) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "PK_b7f9888ba8bd654c4860ddfcb3a" PRIMARY KEY ("company_id"))`,
  `CREATE TABLE "institution_company" ("inst_id" character varying(30) NOT NULL, "company_id" character varying(30) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "PK_30c6006133e91de771ede79a767" PRIMARY KEY ("inst_id", "company_id"))`,
  `CREATE TABLE "customer" ("company_id" character varying(30) NOT NULL, "bill_key" character varying(35) NOT NULL, "name" character varying(150) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "PK_75a80d6ff44e09d294095cef74f" PRIMARY KEY ("company_id", "bill_key"))`,
  `CREATE TABLE "institution" ("inst_id" character varying(30) NOT NULL, "name" character varying(150) NOT NULL, "require_encryption" boolean NOT NULL DEFAULT false, "legacy_ciphers" boolean NOT NULL DEFAULT false, "created_at" character varying(24) NOT NULL, CONSTRAINT "PK_f56f2cb88a4004477308c0c9fcb" PRIMARY KEY ("inst_id"))`,
  `CREATE TABLE "limit_override" ("inst_id" character varying(30) NOT NULL, "tran_code" character varying(20) NOT NULL, "per_key" integer, "per_inst" integer, "updated_at" character varying(24) NOT NULL, CONSTRAINT "PK_da3400d9755af8c8d44bf64836b" PRIMARY KEY ("inst_id", "tran_code"))`,
  `CREATE TABLE "debit_batch" ("id" SERIAL NOT NULL, "inst_id" character varying(30) NOT NULL, "batch_no" character varying(50) NOT NULL, "origin" character varying(10) NOT NULL, "status" integer NOT NULL, "total_count" integer NOT NULL, "total_amount" bigint NOT NULL, "success_count" integer NOT NULL DEFAULT '0', "success_amount" bigint NOT NULL DEFAULT '0', "fail_count" integer NOT NULL DEFAULT '0', "cancel_count" integer NOT NULL DEFAULT '0', "business_date" character varying(10) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "PK_dd96a2302a230768a21993ed790" PRIMARY KEY ("id"))`,
  `CREATE UNIQUE INDEX "uq_batch_inst_no" ON "debit_batch"("inst_id", "batch_no")`,
  `CREATE TABLE "debit_batch_item" ("id" SERIAL NOT NULL, "batch_id" integer NOT NULL, "line_no" integer NOT NULL, "company_id" character varying(30) NOT NULL, "bill_key" character varying(35) NOT NULL, "agreement_no" character varying(150) NOT NULL, "amount" bigint NOT NULL, "status" integer NOT NULL, "bill_nos" text NOT NULL, "tran_seq" character varying(40), "result_code" character varying(10), "result_message" character varying(150), "bank_tran_seq" character varying(64), "cancel_reason" character varying(150), "updated_at" character varying(24) NOT NULL, CONSTRAINT "PK_aaacf1c990623a212990a9cdae1" PRIMARY KEY ("id"))`,
  `CREATE INDEX "idx_batch_item_agreement" ON "debit_batch_item"("agreement_no", "status")`,
  `CREATE INDEX "idx_batch_item_batch" ON "debit_batch_item"("batch_id")`,
  `CREATE TABLE "withholding_agreement" ("agreement_no" character varying(150) NOT NULL, "inst_id" character varying(30) NOT NULL, "company_id" character varying(30) NOT NULL, "bill_key" character varying(35) NOT NULL, "account_name_enc" text NOT NULL, "account_name_masked" character varying(150) NOT NULL, "account_no_enc" text NOT NULL, "account_no_masked" character varying(40) NOT NULL, "bank_name" character varying(150) NOT NULL, "bank_type" integer NOT NULL, "contract_no" character varying(150), "max_amount" bigint, "status" integer NOT NULL, "sign_date" character varying(10) NOT NULL, "termination_date" character varying(10), "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "PK_751bd43ad4969a15eec1a29b136" PRIMARY KEY ("agreement_no"))`,
  `CREATE INDEX "idx_agreement_inst" ON "withholding_agreement"("inst_id", "status")`,
  `CREATE UNIQUE INDEX "uq_agreement_signed_customer" ON "withholding_agreement"("company_id", "bill_key") WHERE status = 1`,
];

const POSTGRES_DOWN = [
  `DROP INDEX "public"."uq_agreement_signed_customer"`,
  `DROP INDEX "public"."idx_agreement_inst"`,
  `DROP TABLE "withholding_agreement"`,
  `DROP INDEX "public"."idx_batch_item_batch"`,
  `DROP INDEX "public"."idx_batch_item_agreement"`,
  `DROP TABLE "debit_batch_item"`,
  `DROP INDEX "public"."uq_batch_inst_no"`,
  `DROP TABLE "debit_batch"`,
  `DROP TABLE "limit_override"`,
  `DROP TABLE "institution"`,
  `DROP TABLE "customer"`,
  `DROP TABLE "institution_company"`,
  `DROP TABLE "company"`,
  `DROP INDEX "public"."uq_api_key_hash"`,
  `DROP INDEX "public"."idx_api_key_inst"`,
  `DROP TABLE "api_key"`,
  `DROP INDEX "public"."idx_idempotency_expiry"`,
  `DROP TABLE "idempotency_record"`,
  `DROP TABLE "ledger_transaction_bill"`,
  `DROP INDEX "public"."uq_ledger_inst_seq"`,
  `DROP INDEX "public"."idx_ledger_statement"`,
  `DROP INDEX "public"."idx_ledger_customer"`,
  `DROP TABLE "ledger_transaction"`,
  `DROP INDEX "public"."idx_bill_customer_status"`,
  `DROP TABLE "bill"`,
  `DROP INDEX "public"."idx_audit_time"`,
  `DROP TABLE "audit_entry"`,
];

const SQLITE_UP = [
  `CREATE TABLE "audit_entry" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "occurred_at" varchar(24) NOT NULL, "actor" varchar(100) NOT NULL, "action" varchar(60) NOT NULL, "target" varchar(200) NOT NULL, "detail" text NOT NULL, "request_id" varchar(64))`,
  `CREATE INDEX "idx_audit_time" ON "audit_entry" ("occurred_at")`,
  `CREATE TABLE "bill" ("bill_no" varchar(40) PRIMARY KEY NOT NULL, "company_id" varchar(30) NOT NULL, "bill_key" varchar(35) NOT NULL, "period" varchar(6) NOT NULL, "amount" bigint NOT NULL, "late_fee" bigint NOT NULL, "start_date" varchar(10) NOT NULL, "end_date" varchar(10) NOT NULL, "due_date" varchar(10) NOT NULL, "status" integer NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
  `CREATE INDEX "idx_bill_customer_status" ON "bill" ("company_id", "bill_key", "status")`,
  `CREATE TABLE "ledger_transaction" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "inst_id" varchar(30) NOT NULL, "tran_seq" varchar(40) NOT NULL, "tran_code" varchar(20) NOT NULL, "company_id" varchar(30) NOT NULL, "bill_key" varchar(35) NOT NULL, "amount" bigint NOT NULL, "sub_channel" integer NOT NULL, "pay_date" varchar(24) NOT NULL, "business_date" varchar(10) NOT NULL, "tran_status" integer NOT NULL, "original_tran_seq" varchar(40), "batch_no" varchar(50), "resp_code" varchar(10) NOT NULL, "resp_message" varchar(60) NOT NULL, "created_at" varchar(24) NOT NULL)`,
  `CREATE INDEX "idx_ledger_customer" ON "ledger_transaction" ("company_id", "bill_key")`,
  `CREATE INDEX "idx_ledger_statement" ON "ledger_transaction" ("inst_id", "company_id", "business_date")`,
  `CREATE UNIQUE INDEX "uq_ledger_inst_seq" ON "ledger_transaction" ("inst_id", "tran_seq")`,
  `CREATE TABLE "ledger_transaction_bill" ("transaction_id" integer NOT NULL, "bill_no" varchar(40) NOT NULL, "amount" bigint NOT NULL, PRIMARY KEY ("transaction_id", "bill_no"))`,
  `CREATE TABLE "idempotency_record" ("inst_id" varchar(30) NOT NULL, "tran_seq" varchar(40) NOT NULL, "tran_code" varchar(20) NOT NULL, "request_hash" varchar(64) NOT NULL, "state" varchar(10) NOT NULL, "http_status" integer, "response_body" text, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24) NOT NULL, PRIMARY KEY ("inst_id", "tran_seq"))`,
  `CREATE INDEX "idx_idempotency_expiry" ON "idempotency_record" ("expires_at")`,
  `CREATE TABLE "api_key" ("key_id" varchar(40) PRIMARY KEY NOT NULL, "inst_id" varchar(30) NOT NULL, "key_hash" varchar(64) NOT NULL, "secret_enc" text NOT NULL, "status" varchar(10) NOT NULL, "created_at" varchar(24) NOT NULL, "last_used_at" varchar(24), "revoked_at" varchar(24))`,
  `CREATE INDEX "idx_api_key_inst" ON "api_key" ("inst_id")`,
  `CREATE UNIQUE INDEX "uq_api_key_hash" ON "api_key" ("key_hash")`,
  `CREATE TABLE "company" ("company_id" varchar(30) PRIMARY KEY NOT NULL, "name" varchar(150) NOT NULL, "created_at" varchar(24) NOT NULL)`,
  `CREATE TABLE "institution_company" ("inst_id" varchar(30) NOT NULL, "company_id" varchar(30) NOT NULL, "created_at" varchar(24) NOT NULL, PRIMARY KEY ("inst_id", "company_id"))`,
  `CREATE TABLE "customer" ("company_id" varchar(30) NOT NULL, "bill_key" varchar(35) NOT NULL, "name" varchar(150) NOT NULL, "created_at" varchar(24) NOT NULL, PRIMARY KEY ("company_id", "bill_key"))`,
  `CREATE TABLE "institution" ("inst_id" varchar(30) PRIMARY KEY NOT NULL, "name" varchar(150) NOT NULL, "require_encryption" boolean NOT NULL DEFAULT (0), "legacy_ciphers" boolean NOT NULL DEFAULT (0), "created_at" varchar(24) NOT NULL)`,
  `CREATE TABLE "limit_override" ("inst_id" varchar(30) NOT NULL, "tran_code" varchar(20) NOT NULL, "per_key" integer, "per_inst" integer, "updated_at" varchar(24) NOT NULL, PRIMARY KEY ("inst_id", "tran_code"))`,
  `CREATE TABLE "debit_batch" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "inst_id" varchar(30) NOT NULL, "batch_no" varchar(50) NOT NULL, "origin" varchar(10) NOT NULL, "status" integer NOT NULL, "total_count" integer NOT NULL, "total_amount" bigint NOT NULL, "success_count" integer NOT NULL DEFAULT (0), "success_amount" bigint NOT NULL DEFAULT (0), "fail_count" integer NOT NULL DEFAULT (0), "cancel_count" integer NOT NULL DEFAULT (0), "business_date" varchar(10) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
  `CREATE UNIQUE INDEX "uq_batch_inst_no" ON "debit_batch" ("inst_id", "batch_no")`,
  `CREATE TABLE "debit_batch_item" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "batch_id" integer NOT NULL, "line_no" integer NOT NULL, "company_id" varchar(30) NOT NULL, "bill_key" varchar(35) NOT NULL, "agreement_no" varchar(150) NOT NULL, "amount" bigint NOT NULL, "status" integer NOT NULL, "bill_nos" text NOT NULL, "tran_seq" varchar(40), "result_code" varchar(10), "result_message" varchar(150), "bank_tran_seq" varchar(64), "cancel_reason" varchar(150), "updated_at" varchar(24) NOT NULL)`,
  `CREATE INDEX "idx_batch_item_agreement" ON "debit_batch_item" ("agreement_no", "status")`,
  `CREATE INDEX "idx_batch_item_batch" ON "debit_batch_item" ("batch_id")`,
  `CREATE TABLE "withholding_agreement" ("agreement_no" varchar(150) PRIMARY KEY NOT NULL, "inst_id" varchar(30) NOT NULL, "company_id" varchar(30) NOT NULL, "bill_key" varchar(35) NOT NULL, "account_name_enc" text NOT NULL, "account_name_masked" varchar(150) NOT NULL, "account_no_enc" text NOT NULL, "account_no_masked" varchar(40) NOT NULL, "bank_name" varchar(150) NOT NULL, "bank_type" integer NOT NULL, "contract_no" varchar(150), "max_amount" bigint, "status" integer NOT NULL, "sign_date" varchar(10) NOT NULL, "termination_date" varchar(10), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
  `CREATE INDEX "idx_agreement_inst" ON "withholding_agreement" ("inst_id", "status")`,
  `CREATE UNIQUE INDEX "uq_agreement_signed_customer" ON "withholding_agreement" ("company_id", "bill_key") WHERE status = 1`,
];

const SQLITE_DOWN = [
  `DROP INDEX "uq_agreement_signed_customer"`,
  `DROP INDEX "idx_agreement_inst"`,
  `DROP TABLE "withholding_agreement"`,
  `DROP INDEX "idx_batch_item_batch"`,
  `DROP INDEX "idx_batch_item_agreement"`,
  `DROP TABLE "debit_batch_item"`,
  `DROP INDEX "uq_batch_inst_no"`,
  `DROP TABLE "debit_batch"`,
  `DROP TABLE "limit_override"`,
  `DROP TABLE "institution"`,
  `DROP TABLE "customer"`,
  `DROP TABLE "institution_company"`,
  `DROP TABLE "company"`,
  `DROP INDEX "uq_api_key_hash"`,
  `DROP INDEX "idx_api_key_inst"`,
  `DROP TABLE "api_key"`,
  `DROP INDEX "idx_idempotency_expiry"`,
  `DROP TABLE "idempotency_record"`,
  `DROP TABLE "ledger_transaction_bill"`,
  `DROP INDEX "uq_ledger_inst_seq"`,
  `DROP INDEX "idx_ledger_statement"`,
  `DROP INDEX "idx_ledger_customer"`,
  `DROP TABLE "ledger_transaction"`,
  `DROP INDEX "idx_bill_customer_status"`,
  `DROP TABLE "bill"`,
  `DROP INDEX "idx_audit_time"`,
  `DROP TABLE "audit_entry"`,
];

export class InitialSchema1795400000000 implements MigrationInterface {
  name = 'InitialSchema1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of isPostgres(queryRunner) ? POSTGRES_UP : SQLITE_UP) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of isPostgres(queryRunner) ? POSTGRES_DOWN : SQLITE_DOWN) await queryRunner.query(sql);
  }
}

function isPostgres(queryRunner: QueryRunner): boolean {
  return queryRunner.dataSource.driver.options.type === 'postgres';
}
