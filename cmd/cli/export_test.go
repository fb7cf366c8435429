package cli

// FirstRunDemo is the size of the history a brand-new database gets from the console.
const FirstRunDemo = firstRunDemo
