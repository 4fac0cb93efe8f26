using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeyLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PreviousLastFour",
                table: "ApiKeys",
                type: "character varying(4)",
                maxLength: 4,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PreviousSecretExpiresAt",
                table: "ApiKeys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousSecretHash",
                table: "ApiKeys",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ApiKeyConcurrencySlots",
                columns: table => new
                {
                    KeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Slot = table.Column<int>(type: "integer", nullable: false),
                    LeaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    LeaseExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeyConcurrencySlots", x => new { x.KeyId, x.Slot });
                    table.ForeignKey(
                        name: "FK_ApiKeyConcurrencySlots_ApiKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ApiKeyRateWindows",
                columns: table => new
                {
                    KeyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Minute = table.Column<long>(type: "bigint", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false),
                    PreviousCount = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeyRateWindows", x => new { x.KeyId, x.Kind });
                    table.ForeignKey(
                        name: "FK_ApiKeyRateWindows_ApiKeys_KeyId",
                        column: x => x.KeyId,
                        principalTable: "ApiKeys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_PreviousSecretHash",
                table: "ApiKeys",
                column: "PreviousSecretHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyConcurrencySlots_LeaseId",
                table: "ApiKeyConcurrencySlots",
                column: "LeaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApiKeyConcurrencySlots");

            migrationBuilder.DropTable(
                name: "ApiKeyRateWindows");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_PreviousSecretHash",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "PreviousLastFour",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "PreviousSecretExpiresAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "PreviousSecretHash",
                table: "ApiKeys");
        }
    }
}
