using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "BudgetKeyId",
                table: "CreditReservations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AllowedModels",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "BudgetMicros",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BudgetPeriod",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.CreateTable(
                name: "ApiKeySpend",
                columns: table => new
                {
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<int>(type: "INTEGER", nullable: false),
                    SpentMicros = table.Column<long>(type: "INTEGER", nullable: false)
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
