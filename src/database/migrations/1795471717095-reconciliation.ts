import { MigrationInterface, QueryRunner } from 'typeorm';

// Generated per engine from the entities (typeorm migration:generate); the schema drift test keeps them in step.
const POSTGRES_UP = [
  `CREATE TABLE "reconciliation_check" ("id" SERIAL NOT NULL, "inst_id" character varying(30) NOT NULL, "tran_seq" character varying(40) NOT NULL, "company_id" character varying(30) NOT NULL, "pay_date" character varying(10) NOT NULL, "file_name" character varying(100) NOT NULL, "with_file" boolean NOT NULL, "check_status" integer NOT NULL, "their_count" integer NOT NULL, "their_money" bigint NOT NULL, "our_count" integer NOT NULL, "our_money" bigint NOT NULL, "difference_count" integer NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "PK_c53fd9abfc539e6d233f339e18f" PRIMARY KEY ("id"))`,
  `CREATE INDEX "idx_reconciliation_check_day" ON "reconciliation_check"("inst_id", "company_id", "pay_date")`,
  `CREATE UNIQUE INDEX "uq_reconciliation_check_inst_seq" ON "reconciliation_check"("inst_id", "tran_seq")`,
  `CREATE TABLE "reconciliation_difference" ("check_id" integer NOT NULL, "seq" integer NOT NULL, "tran_seq" character varying(40) NOT NULL, "kind" character varying(20) NOT NULL, "ours" bigint, "theirs" bigint, "line_no" integer, CONSTRAINT "PK_aadf56985aadc1d04f449871e01" PRIMARY KEY ("check_id", "seq"))`,
  `CREATE INDEX "idx_ledger_file_order" ON "ledger_transaction"("inst_id", "company_id", "business_date", "pay_date", "tran_seq")`,
];

const POSTGRES_DOWN = [
  `DROP INDEX "public"."idx_ledger_file_order"`,
  `DROP TABLE "reconciliation_difference"`,
  `DROP INDEX "public"."uq_reconciliation_check_inst_seq"`,
  `DROP INDEX "public"."idx_reconciliation_check_day"`,
  `DROP TABLE "reconciliation_check"`,
];

const SQLITE_UP = [
  `CREATE TABLE "reconciliation_check" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "inst_id" varchar(30) NOT NULL, "tran_seq" varchar(40) NOT NULL, "company_id" varchar(30) NOT NULL, "pay_date" varchar(10) NOT NULL, "file_name" varchar(100) NOT NULL, "with_file" boolean NOT NULL, "check_status" integer NOT NULL, "their_count" integer NOT NULL, "their_money" bigint NOT NULL, "our_count" integer NOT NULL, "our_money" bigint NOT NULL, "difference_count" integer NOT NULL, "created_at" varchar(24) NOT NULL)`,
  `CREATE INDEX "idx_reconciliation_check_day" ON "reconciliation_check" ("inst_id", "company_id", "pay_date")`,
  `CREATE UNIQUE INDEX "uq_reconciliation_check_inst_seq" ON "reconciliation_check" ("inst_id", "tran_seq")`,
  `CREATE TABLE "reconciliation_difference" ("check_id" integer NOT NULL, "seq" integer NOT NULL, "tran_seq" varchar(40) NOT NULL, "kind" varchar(20) NOT NULL, "ours" bigint, "theirs" bigint, "line_no" integer, PRIMARY KEY ("check_id", "seq"))`,
  `CREATE INDEX "idx_ledger_file_order" ON "ledger_transaction" ("inst_id", "company_id", "business_date", "pay_date", "tran_seq")`,
];

const SQLITE_DOWN = [
  `DROP INDEX "idx_ledger_file_order"`,
  `DROP TABLE "reconciliation_difference"`,
  `DROP INDEX "uq_reconciliation_check_inst_seq"`,
  `DROP INDEX "idx_reconciliation_check_day"`,
  `DROP TABLE "reconciliation_check"`,
];

/** Reconciliation (CONTRACT §8): the stored PayCheck results and their differences, and the ledger's file order. */
export class Reconciliation1795471717095 implements MigrationInterface {
  name = 'Reconciliation1795471717095';

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
