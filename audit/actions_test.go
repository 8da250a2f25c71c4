package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestActionConstantsAreWellFormedAndUnique reads actions.go, so that every
// constant added later is checked too.
func TestActionConstantsAreWellFormedAndUnique(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "actions.go", nil, 0)
	require.NoError(t, err)
	shape := regexp.MustCompile(`^[a-z][a-z_]*\.[a-z][a-z_]*$`)
	seen := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				require.True(t, strings.HasPrefix(name.Name, "Action"), name.Name)
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok, name.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				require.Regexp(t, shape, v, name.Name)
				require.Empty(t, seen[v], "%s duplicates %s", name.Name, seen[v])
				seen[v] = name.Name
			}
		}
	}
	require.Greater(t, len(seen), 40)
}
