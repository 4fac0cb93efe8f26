using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 4,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PreviousSecretExpiresAt",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousSecretHash",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ApiKeyConcurrencySlots",
                columns: table => new
                {
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Slot = table.Column<int>(type: "INTEGER", nullable: false),
                    LeaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    LeaseExpiresAt = table.Column<long>(type: "INTEGER", nullable: true)
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
                    KeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Minute = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false),
                    PreviousCount = table.Column<long>(type: "INTEGER", nullable: false)
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
