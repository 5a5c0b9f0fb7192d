"""Use cases the desk performs; each public function is one transaction. No Qt."""
