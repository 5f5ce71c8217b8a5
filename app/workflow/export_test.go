package workflow

// What the external tests (package workflow_test, which can use
// app/testenv) need of the package's inside.
var (
	PrincipalOf = principalOf
	ActorOf     = actor
)
