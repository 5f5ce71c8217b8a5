package reporting

// Exported for the tests of package reporting_test.
var FileNamePart = fileNamePart

const MaxNamePart = maxNamePart
