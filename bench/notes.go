package bench

// The report's explanations: what the figures mean, what was cut and what
// remains. They are about the code, not about one run's numbers.

const spliceNotes = `TODO
`

const streamNotes = `TODO
`

const costNotes = `## Where the small-request CPU goes

TODO
`
