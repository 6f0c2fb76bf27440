// kuai-convert: see ConvertCommand (to be implemented).
