package main

import (
	"context"
	"os"
)

func main() {
	err := run(context.Background(), os.Stdout, os.Stderr, os.Args[1:])
	os.Exit(exitStatus(os.Stderr, err))
}
