using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeyBudgets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BudgetDay",
                table: "CreditReservations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "BudgetKeyId",
                table: "CreditReservations",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "AllowedModels",
                table: "ApiKeys",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "BudgetMicros",
                table: "ApiKeys",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BudgetPeriod",
                table: "ApiKeys",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.CreateTable(
                name: "ApiKeySpend",
                columns: table => new
                {
                    KeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<int>(type: "integer", nullable: false),
                    SpentMicros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeySpend", x => new { x.KeyId, x.Day });
                    table.ForeignKey(
                        name: "FK_ApiKeySpend_ApiKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApiKeySpend");

            migrationBuilder.DropColumn(
                name: "BudgetDay",
                table: "CreditReservations");

            migrationBuilder.DropColumn(
                name: "BudgetKeyId",
                table: "CreditReservations");

            migrationBuilder.DropColumn(
                name: "AllowedModels",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "BudgetMicros",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "BudgetPeriod",
                table: "ApiKeys");
        }
    }
}
