package mapping_test

import (
	"fmt"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// A gateway asks which status a Form resource answers a successful POST with.
func ExampleCodeToHTTP() {
	cat := mapping.DefaultCatalog()
	form, _, _ := cat.Profile("form")
	tr, err := mapping.CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_OK,
		mapping.Context{Method: "POST", Profiles: []*statusdv1.Profile{form}})
	if err != nil {
		panic(err)
	}
	fmt.Println(tr.HTTPStatus)
	fmt.Println(tr.Rationale)
	// Output:
	// 201
	// Level 3: Form answers a successful POST with 201 Created, so 201 is ok.
}

// An upstream answered 412: what should the RPC client see?
func ExampleHTTPToCode() {
	for _, d := range []statusdv1.Dialect{statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Dialect_DIALECT_CONNECT} {
		tr, _ := mapping.HTTPToCode(d, 412, mapping.Context{})
		fmt.Println(d, mapping.ConnectName(tr.Code))
	}
	// Output:
	// DIALECT_LEVEL3 aborted
	// DIALECT_CONNECT unknown
}

func ExampleCatalog_Profile() {
	cat := mapping.DefaultCatalog()
	for _, id := range []string{"entity", "<https://level3.rest/profiles/form>", "http://level3.rest/profiles/root"} {
		p, legacy, ok := cat.Profile(id)
		fmt.Println(p.GetUri(), legacy, ok)
	}
	// Output:
	// https://level3.rest/profiles/mixins/entity false true
	// https://level3.rest/profiles/form false true
	// https://level3.rest/profiles/home true true
}
