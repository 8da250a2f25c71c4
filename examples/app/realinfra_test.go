package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/testpg"
	"github.com/bulwark-go/bulwark/internal/testredis"
	"github.com/bulwark-go/bulwark/tenant"
)

// realBackend switches newTestApp to PostgreSQL and Redis while
// TestSuiteOnRedisAndPostgres runs the suite again. Tests in this package
// do not run in parallel, so a plain variable is enough.
var realBackend bool

// suite is every flow test, run a second time against real services.
var suite = []struct {
	name string
	f    func(*testing.T)
}{
	{"SignUpExplainsThePasswordPolicy", TestSignUpExplainsThePasswordPolicy},
	{"SignInFailuresAreGenericAndSuccessStartsASession", TestSignInFailuresAreGenericAndSuccessStartsASession},
	{"SignInIsRateLimitedPerAccount", TestSignInIsRateLimitedPerAccount},
	{"SignInUpgradesAnOldPasswordHash", TestSignInUpgradesAnOldPasswordHash},
	{"YourSessionsPageRevokesAnotherSession", TestYourSessionsPageRevokesAnotherSession},
	{"TOTPEnrolSignInReplayAndBackupCodes", TestTOTPEnrolSignInReplayAndBackupCodes},
	{"TOTPDisableAndRegenerateNeedStepUp", TestTOTPDisableAndRegenerateNeedStepUp},
	{"PasswordResetIsSingleUseExpiringAndRevokesSessions", TestPasswordResetIsSingleUseExpiringAndRevokesSessions},
	{"CrossTenantMatrix", TestCrossTenantMatrix},
	{"InviteAcceptRolesAndLeave", TestInviteAcceptRolesAndLeave},
	{"InviteFromADemotedInviterIsRefused", TestInviteFromADemotedInviterIsRefused},
	{"ConcurrentDemotionsKeepAnOwner", TestConcurrentDemotionsKeepAnOwner},
	{"MemberChangesRefuseAStaleActorScope", TestMemberChangesRefuseAStaleActorScope},
	{"PasswordResetRequestsAreRateLimitedPerEmail", TestPasswordResetRequestsAreRateLimitedPerEmail},
	{"IntegrationTokenIsSealedMaskedAndBoundToItsOrg", TestIntegrationTokenIsSealedMaskedAndBoundToItsOrg},
	{"IntegrationChangesNeedStepUp", TestIntegrationChangesNeedStepUp},
	{"RotateKeysReSealsEveryStoredSecret", TestRotateKeysReSealsEveryStoredSecret},
	{"AgentActionWaitsForASingleUseApproval", TestAgentActionWaitsForASingleUseApproval},
	{"AuditPageFiltersExportsAndDetectsTampering", TestAuditPageFiltersExportsAndDetectsTampering},
	{"RowLevelSecurityHidesOtherOrgsRows", testRowLevelSecurity},
}

func TestSuiteOnRedisAndPostgres(t *testing.T) {
	testredis.Client(t) // skips, or fails under CI, when Redis is down
	testpg.Open(t)      // and so does this when PostgreSQL is
	realBackend = true
	defer func() { realBackend = false }()
	for _, s := range suite {
		t.Run(s.name, s.f)
	}
}

// realInfra gives one test its own PostgreSQL schema, owned by a role
// that is not a superuser (superusers bypass row-level security), and its
// own Redis key prefix.
func realInfra(t *testing.T) infra {
	t.Helper()
	ctx := context.Background()
	admin := testpg.Open(t)
	name := "app_" + strings.ToLower(rand.Text()[:12])
	role := "bulwark_app_test"
	_, err := admin.ExecContext(ctx, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+role+`') THEN CREATE ROLE `+role+` LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$`)
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		require.NoError(t, err)
	}
	_, err = admin.ExecContext(ctx, `CREATE SCHEMA `+name+` AUTHORIZATION `+role)
	require.NoError(t, err)
	t.Cleanup(func() { admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`) })

	u, err := url.Parse(testpg.URL())
	require.NoError(t, err)
	u.User = url.User(role)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	// testredis.Prefix deletes this test's keys, and only those, after
	// the app's clients below are closed.
	prefix := testredis.Prefix(t, testredis.Client(t), "examples-app")
	in, err := openInfraPrefix(ctx, u.String(), testredis.URL(), prefix, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() {
		in.db.Close()
		in.Close()
	})
	return in
}

// testRowLevelSecurity shows the migrations' policies at work: inside an
// org's scoped transaction, a query without any WHERE clause sees only that
// org's rows, and cannot write rows for another org.
func testRowLevelSecurity(t *testing.T) {
	if !realBackend {
		t.Skip("PostgreSQL only")
	}
	ta := newTestApp(t)
	c, _ := ta.newUser(t, "admin@example.com")
	a, b := c.createOrg("A"), c.createOrg("B")
	ctx := context.Background()
	for _, org := range []string{a, b} {
		require.NoError(t, ta.db.saveIntegration(ctx, ta.scope(t, org), integration{Kind: "jira", BaseURL: "https://x.example", TokenSealed: "sb1.x", TokenMasked: "••••", UpdatedAt: time.Now()}))
	}
	var n int
	var seen string
	err := tenant.WithTx(ctx, ta.db.sql, ta.scope(t, a), func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM integrations`).Scan(&n); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT org_id FROM integrations`).Scan(&seen)
	})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "a query that forgot WHERE org_id still sees one org's rows")
	assert.Equal(t, a, seen)

	err = tenant.WithTx(ctx, ta.db.sql, ta.scope(t, a), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agent_actions (id, org_id, summary, status, proposed_by, created_at) VALUES ('x', $1, 's', 'pending', 'u', 0)`, b)
		return err
	})
	assert.Error(t, err, "writing a row for another org is refused by the policy")

	var outside int
	require.NoError(t, ta.db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM integrations`).Scan(&outside))
	assert.Zero(t, outside, "without a scope, nothing is visible")
}
