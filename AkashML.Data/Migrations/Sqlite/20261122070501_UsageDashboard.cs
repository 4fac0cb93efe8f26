using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageDashboard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Parameters",
                table: "UsageRecords",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "InferencePayloads",
                columns: table => new
                {
                    InferenceId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    RequestJson = table.Column<string>(type: "TEXT", nullable: false),
                    OutputText = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InferencePayloads", x => x.InferenceId);
                });

            migrationBuilder.CreateTable(
                name: "InferenceRetention",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Days = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InferenceRetention", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_InferenceRetention_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UsageRollups",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    ApiKeyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Granularity = table.Column<short>(type: "INTEGER", nullable: false),
                    BucketStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    Errors = table.Column<long>(type: "INTEGER", nullable: false),
                    PromptTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletionTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CostMicros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageRollups", x => new { x.UserId, x.Granularity, x.BucketStart, x.ApiKeyId, x.Model });
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_UserId_Model_CreatedAt",
                table: "UsageRecords",
                columns: new[] { "UserId", "Model", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_InferencePayloads_ExpiresAt",
                table: "InferencePayloads",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_InferencePayloads_UserId",
                table: "InferencePayloads",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InferencePayloads");

            migrationBuilder.DropTable(
                name: "InferenceRetention");

            migrationBuilder.DropTable(
                name: "UsageRollups");

            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_UserId_Model_CreatedAt",
                table: "UsageRecords");

            migrationBuilder.DropColumn(
                name: "Parameters",
                table: "UsageRecords");
        }
    }
}
