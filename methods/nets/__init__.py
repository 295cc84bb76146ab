"""Small network building blocks shared by the methods (torch)."""
