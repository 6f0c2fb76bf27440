// kuai-query: to be implemented.
